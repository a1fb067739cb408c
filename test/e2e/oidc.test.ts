// Single sign-on as a self-hoster runs it: `tessera serve` as a real process in front of a real
// OpenID provider, over real HTTP, back-channel logout included.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Browser } from "../support/browser";
import { freePort } from "../support/free-port";
import { startTestProvider, TEST_CLIENT_SECRET, type TestProvider } from "../support/oidc-provider";
import { type ServedInstance, serveProcess } from "../support/serve-process";

const METRICS_TOKEN = "metrics-token-for-oidc-e2e";
const oidcConfig = (publicUrl: string, issuer: string) => ({
  server: { publicUrl },
  metrics: { token: METRICS_TOKEN },
  database: { url: "sqlite:./data/tessera.db" },
  plugins: {
    oidc: { enabled: true, issuer, clientId: "tessera", clientSecret: "${OIDC_CLIENT_SECRET}" },
  },
});

const env = { OIDC_CLIENT_SECRET: TEST_CLIENT_SECRET };

describe("tessera serve with the oidc plugin", () => {
  let provider: TestProvider;
  let served: ServedInstance;
  let publicUrl: string;

  beforeAll(async () => {
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    provider = await startTestProvider({
      redirectUri: `${publicUrl}/auth/callback`,
      postLogoutRedirectUri: `${publicUrl}/`,
      backchannelLogoutUri: `${publicUrl}/auth/backchannel-logout`,
    });
    served = await serveProcess(oidcConfig(publicUrl, provider.issuer), { port, env });
  });
  afterAll(async () => {
    await served?.stop();
    await provider?.close();
  });

  test("prints the plugin with the issuer's host as its only net grant", () => {
    expect(served.output()).toMatch(
      new RegExp(`oidc\\s+1\\.0\\.0\\s+started\\s+none\\s+${provider.host.replace(".", "\\.")}\\s+-\\s+GET /auth/login`),
    );
  });

  test("signs in through the provider, and the provider's back-channel logout signs out", async () => {
    const browser = new Browser();
    const start = await browser.request(`${publicUrl}/auth/login?returnTo=/me`);
    const callback = await provider.signIn(browser, start.headers.get("location") ?? "", "e2e-user");
    const landed = await browser.request(callback);
    expect(landed.status).toBe(303);
    expect(landed.headers.get("location")).toBe("/me");
    const me = await browser.request(`${publicUrl}/me`);
    expect(await me.json()).toMatchObject({ user: { email: "e2e-user@example.test" } });

    await provider.endSession(browser);
    expect((await browser.request(`${publicUrl}/me`)).status).toBe(401);
    expect(served.output()).not.toContain(TEST_CLIENT_SECRET);
  });

  test("logout redirects to the provider, which returns the browser to the site", async () => {
    const browser = new Browser();
    const start = await browser.request(`${publicUrl}/auth/login`);
    await browser.request(await provider.signIn(browser, start.headers.get("location") ?? "", "e2e-other"));
    const logout = await browser.request(`${publicUrl}/auth/logout`, { method: "POST", headers: { origin: publicUrl } });
    expect(logout.status).toBe(303);
    const back = await provider.endSession(browser, logout.headers.get("location") ?? "");
    expect(back.toString()).toBe(`${publicUrl}/`);
    expect((await browser.request(`${publicUrl}/me`)).status).toBe(401);
  });
});

describe("start-up against a provider", () => {
  test("a provider that is down is waited for: the process serves, /readyz says why, sign-in starts once it answers", async () => {
    const providerPort = await freePort();
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const served = await serveProcess(oidcConfig(publicUrl, `http://127.0.0.1:${providerPort}`), { port, env });
    let provider: TestProvider | undefined;
    try {
      const ready = await fetch(`${publicUrl}/readyz`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(ready.status).toBe(503);
      expect(JSON.stringify(await ready.json())).toContain("The OpenID provider did not answer");
      expect((await fetch(`${publicUrl}/auth/login`, { redirect: "manual" })).status).toBe(503);

      provider = await startTestProvider({ redirectUri: `${publicUrl}/auth/callback`, port: providerPort });
      const deadline = Date.now() + 15_000;
      while ((await fetch(`${publicUrl}/readyz`)).status !== 200 && Date.now() < deadline) await Bun.sleep(200);
      expect((await fetch(`${publicUrl}/readyz`)).status).toBe(200);
      expect((await fetch(`${publicUrl}/auth/login`, { redirect: "manual" })).status).toBe(302);
      expect(served.process.exitCode).toBeNull();
    } finally {
      await served.stop();
      await provider?.close();
    }
  }, 30_000);

  test("an issuer with a trailing-slash mismatch stops start-up with both values and the fix", async () => {
    const provider = await startTestProvider({ redirectUri: "http://127.0.0.1:1/auth/callback" });
    try {
      const error = await serveProcess(oidcConfig("http://127.0.0.1:3000", `${provider.issuer}/`), { env }).then(
        async (served) => {
          await served.stop();
          return "";
        },
        (caught: unknown) => String(caught),
      );
      expect(error).toContain("ERR_OIDC_ISSUER_MISMATCH");
      expect(error).toContain(`set plugins.oidc.issuer to "${provider.issuer}"`);
      expect(error).toContain("trailing slash");
      expect(error).not.toContain("Tessera listening");
    } finally {
      await provider.close();
    }
  });
});
