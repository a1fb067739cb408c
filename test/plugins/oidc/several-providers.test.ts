// Two real OpenID providers (oidc-provider) in front of one Tessera: a staff provider trusted to vouch
// for emails and a partner provider that is not. Each has its own discovery, keys and client; the
// callback is routed by the sign-in's state; identities are keyed by (issuer, subject).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createUser } from "../../../core/identity/users";
import { Browser } from "../../support/browser";
import { startTestProvider, type TestProvider } from "../../support/oidc-provider";
import { startTestRuntime, type TestRuntime } from "../../support/test-runtime";

const API = "urn:tessera:partner-api";

let staff: TestProvider;
let partner: TestProvider;
let tessera: TestRuntime;
let handler: (request: Request) => Response | Promise<Response> = () => new Response("starting", { status: 503 });
// Tessera listens for real, so that the providers can post logout tokens to it.
const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (request) => handler(request) });
const publicUrl = `http://127.0.0.1:${server.port}`;

beforeAll(async () => {
  const client = {
    redirectUri: `${publicUrl}/auth/callback`,
    postLogoutRedirectUri: `${publicUrl}/`,
    backchannelLogoutUri: `${publicUrl}/auth/backchannel-logout`,
  };
  staff = await startTestProvider({ ...client, clientId: "tessera-staff" });
  partner = await startTestProvider({ ...client, clientId: "tessera-partner", apiAudience: API });
  tessera = await startTestRuntime({
    server: { publicUrl },
    plugins: {
      oidc: {
        enabled: true,
        providers: [
          {
            id: "staff",
            name: "Staff (Authentik)",
            issuer: staff.issuer,
            clientId: staff.clientId,
            clientSecret: staff.clientSecret,
            linkByEmail: "verified",
          },
          {
            id: "partner",
            name: "Partner (Keycloak)",
            issuer: partner.issuer,
            clientId: partner.clientId,
            clientSecret: partner.clientSecret,
            audience: API,
          },
        ],
      },
    },
  });
  handler = (request) => tessera.runtime.app.handle(request);
});

afterAll(async () => {
  await tessera?.close();
  await staff?.close();
  await partner?.close();
  server.stop(true);
});

/** Starts at /auth/login/<id> and walks the provider's login; returns the callback URL, unvisited. */
const authorize = async (browser: Browser, provider: TestProvider, path: string, login: string) => {
  const start = await browser.request(`${publicUrl}${path}`);
  expect(start.status).toBe(302);
  const location = start.headers.get("location") ?? "";
  expect(new URL(location).origin).toBe(provider.issuer);
  return provider.signIn(browser, location, login);
};

const signIn = async (browser: Browser, provider: TestProvider, id: string, login: string) =>
  browser.request(await authorize(browser, provider, `/auth/login/${id}`, login));

const me = async (browser: Browser) => (await browser.request(`${publicUrl}/me`)).json();

describe("several OpenID providers", () => {
  test("GET /auth/providers lists them, in config order, with where each sign-in starts", async () => {
    const response = await fetch(`${publicUrl}/auth/providers`);
    expect(await response.json()).toEqual({
      providers: [
        { id: "staff", name: "Staff (Authentik)", loginUrl: "/auth/login/staff", ready: true },
        { id: "partner", name: "Partner (Keycloak)", loginUrl: "/auth/login/partner", ready: true },
      ],
    });
  });

  test("each provider signs its users in, and the same login at two providers is two users", async () => {
    const atStaff = new Browser();
    expect((await signIn(atStaff, staff, "staff", "ada")).status).toBe(303);
    const atPartner = new Browser();
    expect((await signIn(atPartner, partner, "partner", "ada-partner")).status).toBe(303);
    const [one, two] = [await me(atStaff), await me(atPartner)];
    expect(one.user.email).toBe("ada@example.test");
    expect(two.user.email).toBe("ada-partner@example.test");
    expect(one.user.id).not.toBe(two.user.id);
  });

  test("GET /auth/login uses the first provider", async () => {
    const response = await fetch(`${publicUrl}/auth/login`, { redirect: "manual" });
    expect(new URL(response.headers.get("location") ?? "").origin).toBe(staff.issuer);
  });

  test("an unknown provider id is a 404", async () => {
    const response = await fetch(`${publicUrl}/auth/login/nope`, { redirect: "manual" });
    expect(response.status).toBe(404);
  });

  test("a provider not trusted with emails can't take over an account by its (verified) email", async () => {
    const owner = new Browser();
    await signIn(owner, staff, "staff", "victim");
    const victim = await me(owner);
    // The partner's login "victim" carries victim@example.test, email_verified true.
    const attacker = new Browser();
    const landed = await signIn(attacker, partner, "partner", "victim");
    expect(landed.status).toBe(409);
    expect(await landed.json()).toMatchObject({ code: "ERR_CONFLICT" });
    expect((await attacker.request(`${publicUrl}/me`)).status).toBe(401);
    expect((await me(owner)).user.id).toBe(victim.user.id);
  });

  test("a provider trusted with emails joins an existing user with that verified email", async () => {
    const existing = await createUser(tessera.runtime.db, { email: "bob@example.test", name: "Bob" });
    const browser = new Browser();
    await signIn(browser, staff, "staff", "bob");
    expect((await me(browser)).user.id).toBe(existing.id);
  });

  test("a callback is routed by its state: a code from another provider than the sign-in's is refused", async () => {
    const browser = new Browser();
    // A sign-in started at staff; the browser comes back with the partner's answer under staff's state.
    const staffStart = await browser.request(`${publicUrl}/auth/login/staff`);
    const staffState = new URL(staffStart.headers.get("location") ?? "").searchParams.get("state") ?? "";
    const fromPartner = await authorize(browser, partner, "/auth/login/partner", "mallory");
    fromPartner.searchParams.set("state", staffState);
    const landed = await browser.request(fromPartner);
    expect(landed.status).toBe(400);
    expect(await landed.json()).toMatchObject({ code: "ERR_OIDC_ISSUER" });
    expect((await browser.request(`${publicUrl}/me`)).status).toBe(401);
  });

  test("logout sends the browser to the provider the session was signed in at", async () => {
    const browser = new Browser();
    await signIn(browser, partner, "partner", "grace");
    const logout = await browser.request(`${publicUrl}/auth/logout`, { method: "POST", headers: { origin: publicUrl } });
    expect(new URL(logout.headers.get("location") ?? "").origin).toBe(partner.issuer);
  });

  test("each provider's back-channel logout ends its own sessions", async () => {
    const atStaff = new Browser();
    await signIn(atStaff, staff, "staff", "linus");
    const atPartner = new Browser();
    await signIn(atPartner, partner, "partner", "linus-partner");
    await partner.endSession(atPartner);
    expect((await atPartner.request(`${publicUrl}/me`)).status).toBe(401);
    expect((await atStaff.request(`${publicUrl}/me`)).status).toBe(200);
    await staff.endSession(atStaff);
    expect((await atStaff.request(`${publicUrl}/me`)).status).toBe(401);
  });

  test("the partner's JWT access tokens authenticate its users", async () => {
    const browser = new Browser();
    await signIn(browser, partner, "partner", "barbara");
    const token = await partner.accessToken(browser, "barbara", API);
    const response = await fetch(`${publicUrl}/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(await response.json()).toMatchObject({ user: { email: "barbara@example.test" }, via: "token" });
  });
});
