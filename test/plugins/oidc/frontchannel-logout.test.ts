// OpenID Front-Channel Logout 1.0: the provider's logout page loads /auth/frontchannel-logout?iss=&sid=
// in an iframe; the sessions signed in with that provider session end. The provider's sid comes from
// a real sign-in at oidc-provider (which no longer renders the iframes itself, so the test loads it).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "tessera/plugin/db";
import { Browser } from "../../support/browser";
import { startTestProvider, type TestProvider } from "../../support/oidc-provider";
import { startTestRuntime, type TestRuntime } from "../../support/test-runtime";

const publicUrl = "http://localhost:3000";
let provider: TestProvider;
let tessera: TestRuntime;

const browserFor = () =>
  new Browser((request) =>
    new URL(request.url).origin === publicUrl ? tessera.runtime.app.handle(request) : fetch(request, { redirect: "manual" }),
  );

/** A signed-in browser and the provider's sid for its session. */
const signIn = async (login: string) => {
  const browser = browserFor();
  const start = await browser.request(`${publicUrl}/auth/login`);
  const callback = await provider.signIn(browser, start.headers.get("location") ?? "", login);
  expect((await browser.request(callback)).status).toBe(303);
  const { user } = (await (await browser.request(`${publicUrl}/me`)).json()) as { user: { id: string } };
  const { db } = tessera.runtime;
  const [row] = await db.orm
    .select({ sid: db.tables.sessions.sid })
    .from(db.tables.sessions)
    .where(eq(db.tables.sessions.userId, user.id));
  return { browser, sid: row?.sid ?? "" };
};

const frontchannel = (params: Record<string, string>) =>
  tessera.request(`/auth/frontchannel-logout?${new URLSearchParams(params)}`);

beforeAll(async () => {
  // Session-bound logout makes the provider put a sid in its ID tokens.
  provider = await startTestProvider({
    redirectUri: `${publicUrl}/auth/callback`,
    backchannelLogoutUri: `${publicUrl}/auth/backchannel-logout`,
  });
  tessera = await startTestRuntime({
    server: { publicUrl },
    plugins: {
      oidc: { enabled: true, issuer: provider.issuer, clientId: provider.clientId, clientSecret: provider.clientSecret },
    },
  });
});

afterAll(async () => {
  await tessera?.close();
  await provider?.close();
});

describe("front-channel logout", () => {
  test("ends the sessions of the provider session it names, in a page only the provider may frame", async () => {
    const { browser, sid } = await signIn("ada");
    expect(sid).not.toBe("");
    expect((await browser.request(`${publicUrl}/me`)).status).toBe(200);
    const response = await frontchannel({ iss: provider.issuer, sid });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("content-security-policy")).toContain(`frame-ancestors ${new URL(provider.issuer).origin}`);
    expect(response.headers.get("x-frame-options")).toBeNull();
    expect((await browser.request(`${publicUrl}/me`)).status).toBe(401);
  });

  test("leaves other provider sessions signed in", async () => {
    const first = await signIn("grace");
    const second = await signIn("linus");
    await frontchannel({ iss: provider.issuer, sid: first.sid });
    expect((await second.browser.request(`${publicUrl}/me`)).status).toBe(200);
  });

  test("refuses a logout request from an issuer that is not a configured provider", async () => {
    const { browser, sid } = await signIn("barbara");
    const response = await frontchannel({ iss: "https://evil.example/", sid });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "ERR_OIDC_LOGOUT_REQUEST" });
    expect((await browser.request(`${publicUrl}/me`)).status).toBe(200);
  });

  test("refuses a logout request without iss and sid, since it can't say which session to end", async () => {
    const { browser } = await signIn("ken");
    for (const params of [{}, { iss: provider.issuer }, { sid: "abc" }] as Record<string, string>[]) {
      const response = await frontchannel(params);
      expect(response.status).toBe(400);
    }
    expect((await browser.request(`${publicUrl}/me`)).status).toBe(200);
  });

  test("answers an unknown sid with the same empty page, ending nothing", async () => {
    const { browser } = await signIn("margaret");
    const response = await frontchannel({ iss: provider.issuer, sid: "not-a-session" });
    expect(response.status).toBe(200);
    expect((await browser.request(`${publicUrl}/me`)).status).toBe(200);
  });
});
