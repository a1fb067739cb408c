// The console as a person uses it, in headless Chromium against `tessera serve` and a real OpenID
// provider: sign in through the provider's pages, see your email, create a workspace, watch a job the
// coordinator posts move from 0 to 100 % without reloading, sign out. Each state is kept as a
// screenshot (in docs/, which the README shows, when run with UPDATE_SCREENSHOTS=1).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { issueApiKey } from "../support/api-keys";
import { chromiumAvailable, launchChromium, screenshotDir } from "../support/chromium";
import { freePort } from "../support/free-port";
import { startTestProvider, TEST_CLIENT_SECRET, type TestProvider } from "../support/oidc-provider";
import { type ServedInstance, serveProcess } from "../support/serve-process";

const available = await chromiumAvailable("the console browser test");
const shots = screenshotDir();
const LOGIN = "ada";
const EMAIL = `${LOGIN}@example.test`;

const coordinatorKey = () => issueApiKey("coordinator", "coordinator");

/** Visible form controls and links that a screen reader could not name (no label, aria-label or text). */
const controlsWithoutNames = (page: Page) =>
  page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>("input, select, textarea, button, a[href], progress"))
      .filter((element) => element.getClientRects().length > 0)
      .filter((element) => {
        const labels = "labels" in element && element.labels instanceof NodeList ? element.labels.length : 0;
        return labels === 0 && !element.getAttribute("aria-label") && !element.textContent?.trim();
      })
      .map((element) => element.outerHTML),
  );

describe.skipIf(!available)("the console in a browser", () => {
  let provider: TestProvider;
  let served: ServedInstance;
  let browser: Browser;
  let page: Page;
  let publicUrl = "";
  let key = "";

  beforeAll(async () => {
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    const coordinator = await coordinatorKey();
    key = coordinator.key;
    [provider, browser] = await Promise.all([
      startTestProvider({ redirectUri: `${publicUrl}/auth/callback`, postLogoutRedirectUri: `${publicUrl}/` }),
      launchChromium(),
    ]);
    served = await serveProcess(
      {
        server: { publicUrl },
        database: { url: "sqlite:./data/tessera.db" },
        plugins: {
          oidc: { enabled: true, issuer: provider.issuer, clientId: provider.clientId, clientSecret: "${OIDC_CLIENT_SECRET}" },
          "api-key": {
            enabled: true,
            keys: [{ name: "coordinator", hash: coordinator.hash, scopes: ["coordinator"] }],
            protect: { "/coordinator": "coordinator", "/stitcher": "coordinator" },
          },
          coordinator: { enabled: true },
          websocket: { enabled: true },
          console: { enabled: true },
        },
      },
      { port, env: { OIDC_CLIENT_SECRET: TEST_CLIENT_SECRET } },
    );
    page = await browser.newPage({ viewport: { width: 1100, height: 640 } });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await provider?.close();
  });

  const screenshot = (name: string) => page.screenshot({ path: join(shots, `console-${name}.png`) });

  // The coordinator service, driving a job with its API key as it would in production.
  const coordinator = async (method: string, path: string, body: unknown) => {
    const response = await fetch(`${publicUrl}${path}`, {
      method,
      headers: { "x-api-key": key, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as { id: string };
  };

  test("signs in through the provider, creates a workspace, follows a job live to 100 % across a dropped connection, signs out", async () => {
    const cspViolations: string[] = [];
    page.on("console", (message) => {
      if (message.text().includes("Content Security Policy")) cspViolations.push(message.text());
    });

    // The page's WebSocket passes through here, so the test can cut it and hold the reconnect.
    let sockets = 0;
    const sent: string[] = [];
    let held: Promise<void> = Promise.resolve();
    let cut = async () => {};
    await page.routeWebSocket(/\/ws\?/, async (socket) => {
      sockets += 1;
      await held;
      const server = socket.connectToServer();
      socket.onMessage((message) => {
        sent.push(String(message));
        server.send(message);
      });
      cut = () => socket.close({ code: 4000, reason: "network drop" });
    });

    await page.goto(publicUrl);
    const signIn = page.getByRole("link", { name: "Sign in", exact: true });
    await signIn.waitFor();
    await screenshot("signed-out");

    // By keyboard: past the skip link, the first stop is Sign in.
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Sign in");
    await page.keyboard.press("Enter");
    await page.locator('input[name="login"]').fill(LOGIN);
    await page.locator('input[name="password"]').fill("any");
    await page.getByRole("button", { name: "Sign-in" }).click();
    await page.getByRole("button", { name: "Continue" }).click();
    await page.waitForURL(`${publicUrl}/`);
    await page.getByText(EMAIL).waitFor();
    await page.getByText("No workspaces yet").waitFor();
    await screenshot("signed-in");

    expect(await controlsWithoutNames(page)).toEqual([]);

    await page.getByLabel("New workspace name").fill("Platform");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Platform" }).waitFor();
    await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
    const workspaceId = decodeURIComponent(new URL(page.url()).hash.replace("#/w/", ""));
    expect(workspaceId).toMatch(/^[\w-]+$/);

    // Everything from here arrives over the WebSocket: the page must not load again.
    let navigations = 0;
    page.on("framenavigated", (frame) => {
      if (frame === page.mainFrame()) navigations += 1;
    });
    const progress = page.getByRole("progressbar", { name: "Progress of Build the docs" });
    const job = await coordinator("POST", "/coordinator/jobs", { workspaceId, type: "build", title: "Build the docs" });
    await progress.waitFor();
    expect(await progress.getAttribute("value")).toBe("0");
    await page.getByText("pending").waitFor();

    await coordinator("PATCH", `/coordinator/jobs/${job.id}/status`, { status: "running", message: "Starting" });
    for (const step of [20, 45]) {
      await coordinator("PATCH", `/coordinator/jobs/${job.id}/progress`, { progress: step, message: `Step ${step}` });
      await page.locator(`progress[value="${step}"]`).waitFor();
    }

    // The network drops: progress made meanwhile is caught up once the client has reconnected.
    let release = () => {};
    held = new Promise((resolve) => {
      release = resolve;
    });
    await cut();
    await page.getByRole("status").filter({ hasText: "Reconnecting" }).waitFor();
    await coordinator("PATCH", `/coordinator/jobs/${job.id}/progress`, { progress: 70, message: "Step 70" });
    release();
    await page.getByText("70 %").waitFor();
    await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
    expect(sockets).toBe(2);
    // The reconnected client resumed from the last event it had seen.
    const resumed = sent.map((text) => JSON.parse(text)).filter((message) => message.type === "subscribe");
    expect(resumed.at(-1)).toMatchObject({ workspaceId, since: expect.stringMatching(/^\d+$/) });
    await screenshot("job-running");

    await coordinator("POST", `/coordinator/jobs/${job.id}/complete`, { result: { pages: 12 }, message: "Done" });
    await page.locator('progress[value="100"]').waitFor();
    await page.getByText("completed").waitFor();
    expect(await page.getByText("100 %").isVisible()).toBe(true);
    await screenshot("job-completed");
    expect(await controlsWithoutNames(page)).toEqual([]);
    expect(navigations).toBe(0);

    await page.getByRole("button", { name: "Sign out" }).click();
    // RP-initiated logout: the provider asks, then sends the browser back to the console.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${publicUrl}/`);
    await page.getByRole("link", { name: "Sign in", exact: true }).waitFor();
    expect(await page.getByText(EMAIL).count()).toBe(0);
    const cookies = await page.context().cookies(publicUrl);
    expect(cookies.some((cookie) => cookie.name === "tessera_session")).toBe(false);
    expect(cspViolations).toEqual([]);
  }, 45_000);
});
