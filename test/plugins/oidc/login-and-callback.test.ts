// /auth/login and /auth/callback: what goes to the provider, the sealed per-state cookie, and the
// attacks on the flow itself (forged, swapped and replayed states, login CSRF, mix-up, open redirect).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createSession, findSessionByToken } from "../../../core/identity/sessions";
import { createUser } from "../../../core/identity/users";
import { CLIENT_ID, CLIENT_SECRET, s256 } from "./support/fake-provider";
import { expectNoSession, type Harness, PUBLIC_URL, startHarness } from "./support/harness";

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());

const validToken = (nonce: string) => harness.fake.sign(harness.fake.idClaims(nonce));

describe("GET /auth/login", () => {
  test("redirects to the provider with the code flow, PKCE S256, state and nonce", async () => {
    const { location, state, nonce } = await harness.beginLogin(harness.browser());
    expect(`${location.origin}${location.pathname}`).toBe(`${harness.fake.issuer}/authorize`);
    const params = Object.fromEntries(location.searchParams);
    expect(params).toMatchObject({
      response_type: "code",
      client_id: CLIENT_ID,
      redirect_uri: `${PUBLIC_URL}/auth/callback`,
      scope: "openid email profile",
      code_challenge_method: "S256",
    });
    expect(params.code_challenge).toMatch(/^[\w-]{43}$/);
    expect(state).toMatch(/^[\w-]{40,}$/);
    expect(nonce).toMatch(/^[\w-]{40,}$/);
    expect(nonce).not.toBe(state);
    expect(location.searchParams.has("client_secret")).toBe(false);
  });

  test("seals the sign-in in an HttpOnly, SameSite=Lax cookie named after the state", async () => {
    const { response, state } = await harness.beginLogin(harness.browser(), "/a-distinctive-return-path");
    const [cookie] = response.headers.getSetCookie();
    expect(cookie).toStartWith(`tessera_oidc_${state}=`);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).toContain("Path=/auth;");
    expect(cookie).toContain("Max-Age=600");
    expect(cookie).not.toContain("Secure");
    // Sealed: neither the verifier nor the return path can be read from it.
    expect(cookie).not.toContain("distinctive");
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  test("sends the PKCE verifier, the redirect URI and HTTP Basic client credentials to the token endpoint", async () => {
    const client = harness.browser();
    const { location, state, nonce } = await harness.beginLogin(client);
    harness.fake.respondWithIdToken(await validToken(nonce));
    harness.fake.tokenRequests.length = 0;
    expect((await harness.callback(client, { code: "code-1", state })).status).toBe(303);
    const [request] = harness.fake.tokenRequests;
    expect(request?.body.get("grant_type")).toBe("authorization_code");
    expect(request?.body.get("code")).toBe("code-1");
    expect(request?.body.get("redirect_uri")).toBe(`${PUBLIC_URL}/auth/callback`);
    expect(s256(request?.body.get("code_verifier") ?? "")).toBe(location.searchParams.get("code_challenge") ?? "none");
    expect(request?.authorization).toBe(`Basic ${btoa(`${CLIENT_ID}:${CLIENT_SECRET}`)}`);
    expect(request?.body.has("client_secret")).toBe(false);
  });

  test("two sign-ins in flight in two tabs both complete", async () => {
    const client = harness.browser();
    const first = await harness.beginLogin(client, "/first");
    const second = await harness.beginLogin(client, "/second");
    harness.fake.respondWithIdToken(await validToken(second.nonce));
    const secondDone = await harness.callback(client, { code: "c2", state: second.state });
    expect(secondDone.headers.get("location")).toBe("/second");
    harness.fake.respondWithIdToken(await validToken(first.nonce));
    const firstDone = await harness.callback(client, { code: "c1", state: first.state });
    expect(firstDone.headers.get("location")).toBe("/first");
  });

  test("drops stale sign-in cookies once too many pile up", async () => {
    const client = harness.browser();
    for (let i = 0; i < 5; i++) await harness.beginLogin(client);
    const sixth = await harness.beginLogin(client);
    const cleared = sixth.response.headers.getSetCookie().filter((cookie) => cookie.includes("Max-Age=0"));
    expect(cleared).toHaveLength(5);
    expect([...client.cookies(PUBLIC_URL).keys()].filter((name) => name.startsWith("tessera_oidc_"))).toEqual([
      `tessera_oidc_${sixth.state}`,
    ]);
  });
});

describe("GET /auth/callback", () => {
  test("starts a new session cookie and redirects to returnTo", async () => {
    const client = harness.browser();
    const response = await harness.signInWith(client, validToken, "/workspaces?x=1");
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/workspaces?x=1");
    const cookies = response.headers.getSetCookie();
    const session = cookies.find((cookie) => cookie.startsWith("tessera_session="));
    expect(session).toMatch(/^tessera_session=tss_[\w-]{43}; Path=\/; Max-Age=43200; HttpOnly; SameSite=Lax$/);
    expect(cookies.some((cookie) => cookie.startsWith("tessera_oidc_") && cookie.includes("Max-Age=0"))).toBe(true);
    const me = await (await client.request(`${PUBLIC_URL}/me`)).json();
    expect(me).toMatchObject({ user: { email: "user1@example.test", name: "User One" }, via: "session" });
  });

  test("revokes the session the browser held before signing in", async () => {
    const client = harness.browser();
    const { db } = harness.tessera.runtime;
    const user = await createUser(db, { email: "planted@example.test" });
    const planted = await createSession(db, user.id, { ttlMs: 60_000 });
    client.setCookie(PUBLIC_URL, "tessera_session", planted.token);
    const response = await harness.signInWith(client, validToken);
    expect(response.status).toBe(303);
    expect(await findSessionByToken(db, planted.token)).toBeNull();
    const fresh = client.cookies(PUBLIC_URL).get("tessera_session");
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(planted.token);
  });

  test("refuses a state this browser never started", async () => {
    const client = harness.browser();
    await harness.beginLogin(client);
    const response = await harness.callback(client, { code: "c", state: "A".repeat(43) });
    await expectNoSession(client, response, 400, "ERR_OIDC_STATE");
  });

  test("refuses a callback without state", async () => {
    const client = harness.browser();
    await expectNoSession(client, await harness.callback(client, { code: "c" }), 400, "ERR_OIDC_STATE");
  });

  test("refuses a sign-in cookie moved under another state's name", async () => {
    const client = harness.browser();
    const first = await harness.beginLogin(client);
    const sealed = client.cookies(PUBLIC_URL).get(`tessera_oidc_${first.state}`) ?? "";
    const forged = "B".repeat(43);
    client.setCookie(PUBLIC_URL, `tessera_oidc_${forged}`, sealed, "/auth");
    harness.fake.respondWithIdToken(await validToken(first.nonce));
    await expectNoSession(client, await harness.callback(client, { code: "c", state: forged }), 400, "ERR_OIDC_STATE");
  });

  test("refuses a tampered sign-in cookie", async () => {
    const client = harness.browser();
    const { state } = await harness.beginLogin(client);
    const sealed = client.cookies(PUBLIC_URL).get(`tessera_oidc_${state}`) ?? "";
    // One character of the ciphertext changed: the authentication tag no longer matches.
    const parts = sealed.split(".");
    const ciphertext = parts[3] ?? "";
    const middle = Math.floor(ciphertext.length / 2);
    parts[3] = `${ciphertext.slice(0, middle)}${ciphertext[middle] === "A" ? "B" : "A"}${ciphertext.slice(middle + 1)}`;
    const flipped = parts.join(".");
    client.setCookie(PUBLIC_URL, `tessera_oidc_${state}`, flipped, "/auth");
    await expectNoSession(client, await harness.callback(client, { code: "c", state }), 400, "ERR_OIDC_STATE");
  });

  test("a replayed callback, cookie and all, fails", async () => {
    const client = harness.browser();
    const { state, nonce } = await harness.beginLogin(client);
    const cookie = client.cookieHeader(`${PUBLIC_URL}/auth/callback`);
    harness.fake.respondWithIdToken(await validToken(nonce));
    expect((await harness.callback(client, { code: "c", state })).status).toBe(303);
    const attacker = harness.browser();
    const replay = await harness.callback(attacker, { code: "c", state }, { cookie });
    await expectNoSession(attacker, replay, 400, "ERR_OIDC_REPLAY");
  });

  test("login CSRF: a callback with another browser's state is refused", async () => {
    const attacker = harness.browser();
    const { state, nonce } = await harness.beginLogin(attacker);
    harness.fake.respondWithIdToken(await validToken(nonce));
    const victim = harness.browser();
    await expectNoSession(victim, await harness.callback(victim, { code: "attackers-code", state }), 400, "ERR_OIDC_STATE");
    expect(victim.cookies(PUBLIC_URL).has("tessera_session")).toBe(false);
  });

  test("the provider's error becomes a friendly page that does not echo its description", async () => {
    const client = harness.browser();
    const { state } = await harness.beginLogin(client);
    const response = await harness.callback(
      client,
      { error: "access_denied", error_description: "<script>Call our support line now</script>", state },
      { accept: "text/html" },
    );
    expect(response.status).toBe(403);
    expect(response.headers.get("content-type")).toContain("text/html");
    const page = await response.text();
    expect(page).toContain("cancelled or refused");
    expect(page).toContain("ERR_OIDC_PROVIDER_ERROR");
    expect(page).not.toContain("support line");
    expect(page).not.toContain("<script>");
    expect(response.headers.getSetCookie().some((cookie) => cookie.startsWith(`tessera_oidc_${state}=;`))).toBe(true);
    expect((await client.request(`${PUBLIC_URL}/me`)).status).toBe(401);
  });

  test("refuses a response whose iss names another issuer (RFC 9207 mix-up)", async () => {
    const client = harness.browser();
    const { state, nonce } = await harness.beginLogin(client);
    harness.fake.respondWithIdToken(await validToken(nonce));
    await expectNoSession(
      client,
      await harness.callback(client, { code: "c", state, iss: "https://evil.example" }),
      400,
      "ERR_OIDC_ISSUER",
    );
  });

  test("refuses a response without the iss the provider promises", async () => {
    const client = harness.browser();
    const { state, nonce } = await harness.beginLogin(client);
    harness.fake.respondWithIdToken(await validToken(nonce));
    const response = await client.request(`${PUBLIC_URL}/auth/callback?code=c&state=${state}`);
    await expectNoSession(client, response, 400, "ERR_OIDC_ISSUER");
  });

  test("refuses repeated parameters", async () => {
    const client = harness.browser();
    const { state } = await harness.beginLogin(client);
    const response = await client.request(`${PUBLIC_URL}/auth/callback?code=a&code=b&state=${state}`);
    await expectNoSession(client, response, 400, "ERR_BAD_REQUEST");
  });

  test("a code the provider refuses is a 400, not a 5xx", async () => {
    const client = harness.browser();
    const { state } = await harness.beginLogin(client);
    harness.fake.tokenResponse = () => Response.json({ error: "invalid_grant" }, { status: 400 });
    await expectNoSession(client, await harness.callback(client, { code: "stale", state }), 400, "ERR_OIDC_CODE_REJECTED");
  });

  test("client credentials the provider rejects are logged for the operator", async () => {
    const client = harness.browser();
    const { state } = await harness.beginLogin(client);
    harness.fake.tokenResponse = () =>
      Response.json({ error: "invalid_client", error_description: "client authentication failed" }, { status: 401 });
    const response = await harness.callback(client, { code: "c", state });
    expect(response.status).toBe(502);
    const log = harness.logs.find((line) => line.includes("ERR_OIDC_CLIENT_REJECTED"));
    expect(log).toContain("check plugins.oidc.clientId");
    expect(log).not.toContain(CLIENT_SECRET);
  });

  for (const [returnTo, expected] of [
    ["//evil.example/x", "/"],
    ["/\\evil.example", "/"],
    ["https://evil.example/", "/"],
    ["/ok/path?q=1#h", "/ok/path?q=1#h"],
  ]) {
    test(`returnTo ${JSON.stringify(returnTo)} lands on ${expected}`, async () => {
      const response = await harness.signInWith(harness.browser(), validToken, returnTo);
      expect(response.headers.get("location")).toBe(expected ?? "/");
    });
  }
});

describe("on an https site", () => {
  let secure: Harness;
  beforeAll(async () => {
    secure = await startHarness({ server: { publicUrl: "https://tessera.example" } });
  });
  afterAll(() => secure.close());

  test("every cookie is Secure", async () => {
    const client = secure.browser();
    const { response, state, nonce } = await secure.beginLogin(client);
    expect(response.headers.getSetCookie()[0]).toContain("; Secure");
    secure.fake.respondWithIdToken(await secure.fake.sign(secure.fake.idClaims(nonce)));
    const done = await secure.callback(client, { code: "c", state });
    expect(done.status).toBe(303);
    for (const cookie of done.headers.getSetCookie()) expect(cookie).toEndWith("; Secure");
  });
});
