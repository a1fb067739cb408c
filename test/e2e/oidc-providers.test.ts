// The console's provider chooser, in headless Chromium against `tessera serve` with two real OpenID
// providers: the signed-out page offers one button per provider, and each signs in at its own.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { chromiumAvailable, launchChromium } from "../support/chromium";
import { freePort } from "../support/free-port";
import { startTestProvider, TEST_CLIENT_SECRET, type TestProvider } from "../support/oidc-provider";
import { type ServedInstance, serveProcess } from "../support/serve-process";

const available = await chromiumAvailable("the console provider chooser");

describe.skipIf(!available)("the console with two OpenID providers", () => {
  let staff: TestProvider;
  let partner: TestProvider;
  let served: ServedInstance;
  let browser: Browser;
  let publicUrl = "";

  beforeAll(async () => {
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    const redirectUri = `${publicUrl}/auth/callback`;
    [staff, partner, browser] = await Promise.all([
      startTestProvider({ redirectUri, clientId: "staff" }),
      startTestProvider({ redirectUri, clientId: "partner" }),
      launchChromium(),
    ]);
    const provider = (id: string, name: string, at: TestProvider) => ({
      id,
      name,
      issuer: at.issuer,
      clientId: at.clientId,
      clientSecret: "${OIDC_CLIENT_SECRET}",
    });
    served = await serveProcess(
      {
        server: { publicUrl },
        database: { url: "sqlite:./data/tessera.db" },
        plugins: {
          oidc: { enabled: true, providers: [provider("staff", "Staff", staff), provider("partner", "Partner", partner)] },
          console: { enabled: true },
        },
      },
      { port, env: { OIDC_CLIENT_SECRET: TEST_CLIENT_SECRET } },
    );
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await Promise.all([staff?.close(), partner?.close()]);
  });

  test("prints both issuers' hosts as the plugin's net grants", () => {
    expect(served.output()).toContain(staff.host);
    expect(served.output()).toContain(partner.host);
  });

  test("offers a sign-in button per provider, and the chosen one signs in at its provider", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(publicUrl);
      const buttons = page.getByRole("list", { name: "Sign in with" }).getByRole("link");
      await buttons.first().waitFor();
      expect(await buttons.allTextContents()).toEqual(["Sign in with Staff", "Sign in with Partner"]);

      await page.getByRole("link", { name: "Sign in with Partner" }).click();
      await page.waitForURL((url) => url.origin === partner.issuer);
      await page.locator('input[name="login"]').fill("pat");
      await page.locator('input[name="password"]').fill("any");
      await page.getByRole("button", { name: "Sign-in" }).click();
      await page.getByRole("button", { name: "Continue" }).click();
      await page.waitForURL(`${publicUrl}/`);
      await page.getByText("pat@example.test").waitFor();
    } finally {
      await page.close();
    }
  }, 20_000);
});
