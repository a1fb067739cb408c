// The whole sign-in story against a real OpenID provider (oidc-provider): login, callback, session,
// RP-initiated logout, back-channel logout and the provider's access tokens as bearer credentials.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { findOrCreateUserByIdentity } from "../../../core/identity/identities";
import { Browser } from "../../support/browser";
import { startTestProvider, type TestProvider } from "../../support/oidc-provider";
import { startTestRuntime, type TestRuntime } from "../../support/test-runtime";

const API = "urn:tessera:api";

let provider: TestProvider;
let tessera: TestRuntime;
let handler: (request: Request) => Response | Promise<Response> = () => new Response("starting", { status: 503 });
// Tessera listens for real, so that the provider can post logout tokens to it.
const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (request) => handler(request) });
const publicUrl = `http://127.0.0.1:${server.port}`;

beforeAll(async () => {
  provider = await startTestProvider({
    redirectUri: `${publicUrl}/auth/callback`,
    postLogoutRedirectUri: `${publicUrl}/`,
    backchannelLogoutUri: `${publicUrl}/auth/backchannel-logout`,
    apiAudience: API,
  });
  tessera = await startTestRuntime({
    server: { publicUrl },
    plugins: {
      oidc: {
        enabled: true,
        issuer: provider.issuer,
        clientId: provider.clientId,
        clientSecret: provider.clientSecret,
        audience: API,
      },
    },
  });
  handler = (request) => tessera.runtime.app.handle(request);
});

afterAll(async () => {
  await tessera?.close();
  await provider?.close();
  server.stop(true);
});

const signIn = async (browser: Browser, login: string, returnTo = "/me") => {
  const start = await browser.request(`${publicUrl}/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
  expect(start.status).toBe(302);
  const callback = await provider.signIn(browser, start.headers.get("location") ?? "", login);
  expect(callback.origin + callback.pathname).toBe(`${publicUrl}/auth/callback`);
  return browser.request(callback);
};

describe("sign-in with a real OpenID provider", () => {
  test("signs in, creates the user from the provider's claims and lands on returnTo", async () => {
    const browser = new Browser();
    const landed = await signIn(browser, "ada", "/me?tab=jobs");
    expect(landed.status).toBe(303);
    expect(landed.headers.get("location")).toBe("/me?tab=jobs");
    const me = await browser.request(`${publicUrl}/me`);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ user: { email: "ada@example.test", name: "Test ada" }, via: "session" });
  });

  test("logout revokes the session and sends the browser to the provider's end-session endpoint", async () => {
    const browser = new Browser();
    await signIn(browser, "grace");
    const logout = await browser.request(`${publicUrl}/auth/logout`, { method: "POST", headers: { origin: publicUrl } });
    expect(logout.status).toBe(303);
    const location = new URL(logout.headers.get("location") ?? "");
    expect(location.origin).toBe(provider.issuer);
    expect(location.searchParams.get("post_logout_redirect_uri")).toBe(`${publicUrl}/`);
    expect(location.searchParams.get("id_token_hint")).toBeTruthy();
    expect((await browser.request(`${publicUrl}/me`)).status).toBe(401);
    const after = await provider.endSession(browser, location.toString());
    expect(after.toString()).toBe(`${publicUrl}/`);
  });

  test("the provider's back-channel logout revokes the session", async () => {
    const browser = new Browser();
    await signIn(browser, "linus");
    expect((await browser.request(`${publicUrl}/me`)).status).toBe(200);
    await provider.endSession(browser);
    expect((await browser.request(`${publicUrl}/me`)).status).toBe(401);
  });

  test("a JWT access token from the provider authenticates its user", async () => {
    const browser = new Browser();
    await signIn(browser, "barbara");
    const token = await provider.accessToken(browser, "barbara", API);
    const me = await fetch(`${publicUrl}/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ user: { email: "barbara@example.test" }, via: "token" });
  });

  test("an opaque access token is refused with a code that says introspection is needed", async () => {
    const token = await provider.accessToken(new Browser(), "barbara");
    const me = await fetch(`${publicUrl}/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(401);
    expect(await me.json()).toMatchObject({ code: "ERR_OIDC_OPAQUE_TOKEN" });
  });

  test("an access token for someone who never signed in here is refused", async () => {
    const token = await provider.accessToken(new Browser(), "nobody-here", API);
    const me = await fetch(`${publicUrl}/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(401);
    expect(await me.json()).toMatchObject({ code: "ERR_OIDC_UNKNOWN_SUBJECT" });
  });
});

describe("opaque access tokens with introspection at a real provider", () => {
  test("are accepted for a known user", async () => {
    const introspecting = await startTestRuntime({
      server: { publicUrl },
      plugins: {
        oidc: {
          enabled: true,
          issuer: provider.issuer,
          clientId: provider.clientId,
          clientSecret: provider.clientSecret,
          introspection: true,
        },
      },
    });
    try {
      // A user who signed in before (in this runtime's own database).
      await findOrCreateUserByIdentity(introspecting.runtime.db, {
        issuer: provider.issuer,
        subject: "margaret",
        email: "margaret@example.test",
      });
      const token = await provider.accessToken(new Browser(), "margaret");
      const me = await introspecting.request("/me", { headers: { authorization: `Bearer ${token}` } });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ user: { email: "margaret@example.test" }, via: "token" });
    } finally {
      await introspecting.close();
    }
  });
});

describe("a provider that only accepts client_secret_post", () => {
  // oidc-provider refuses any other method for a client registered with client_secret_post.
  test("signs in with the secret in the token request's form", async () => {
    const local = "http://localhost:3000";
    const postOnly = await startTestProvider({ redirectUri: `${local}/auth/callback`, postOnly: true });
    const runtime = await startTestRuntime({
      server: { publicUrl: local },
      plugins: {
        oidc: { enabled: true, issuer: postOnly.issuer, clientId: postOnly.clientId, clientSecret: postOnly.clientSecret },
      },
    });
    try {
      // Tessera in process, the provider over the network.
      const browser = new Browser((request) =>
        new URL(request.url).origin === local ? runtime.runtime.app.handle(request) : fetch(request, { redirect: "manual" }),
      );
      const start = await browser.request(`${local}/auth/login`);
      const callback = await postOnly.signIn(browser, start.headers.get("location") ?? "", "ken");
      expect((await browser.request(callback)).status).toBe(303);
      expect(await (await browser.request(`${local}/me`)).json()).toMatchObject({ user: { email: "ken@example.test" } });
    } finally {
      await runtime.close();
      await postOnly.close();
    }
  });
});
