// POST /auth/logout: revokes the session, clears the cookie, hands over to the provider's end-session
// endpoint where there is one, and refuses cross-site requests that only a cookie authenticates.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Harness, PUBLIC_URL, startHarness } from "./support/harness";

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());

const signedIn = async (through = harness) => {
  const client = through.browser();
  const response = await through.signInWith(client, (nonce) =>
    through.fake.sign(through.fake.idClaims(nonce, { sid: "provider-sid-1" })),
  );
  expect(response.status).toBe(303);
  return client;
};

const logout = (client: ReturnType<Harness["browser"]>, headers: Record<string, string>) =>
  client.request(`${PUBLIC_URL}/auth/logout`, { method: "POST", headers });

describe("POST /auth/logout", () => {
  test("revokes the session, clears the cookie and redirects (303) to the provider with id_token_hint", async () => {
    const client = await signedIn();
    const response = await logout(client, { origin: PUBLIC_URL });
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get("location") ?? "");
    expect(location.origin).toBe(harness.fake.issuer);
    expect(location.searchParams.get("post_logout_redirect_uri")).toBe(`${PUBLIC_URL}/`);
    expect(location.searchParams.get("client_id")).toBe("tessera-test");
    expect(location.searchParams.get("id_token_hint")).toMatch(/^eyJ/);
    expect(response.headers.getSetCookie()).toContain("tessera_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
    expect((await client.request(`${PUBLIC_URL}/me`)).status).toBe(401);
  });

  test("accepts Sec-Fetch-Site: same-origin when there is no Origin header", async () => {
    const client = await signedIn();
    expect((await logout(client, { "sec-fetch-site": "same-origin" })).status).toBe(303);
    expect((await client.request(`${PUBLIC_URL}/me`)).status).toBe(401);
  });

  test("refuses a cross-site request and keeps the session", async () => {
    const client = await signedIn();
    const response = await logout(client, { origin: "https://evil.example", "sec-fetch-site": "cross-site" });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ code: "ERR_CSRF" });
    expect((await client.request(`${PUBLIC_URL}/me`)).status).toBe(200);
  });

  test("refuses a cookie-only request that says nothing of where it comes from", async () => {
    const client = await signedIn();
    expect((await logout(client, {})).status).toBe(403);
    expect((await client.request(`${PUBLIC_URL}/me`)).status).toBe(200);
  });

  test("a bearer session token signs out without Origin (a cross-site form can't send one)", async () => {
    const client = await signedIn();
    const token = client.cookies(PUBLIC_URL).get("tessera_session") ?? "";
    const response = await harness.tessera.request("/auth/logout", {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(303);
    expect((await client.request(`${PUBLIC_URL}/me`)).status).toBe(401);
  });

  test("without a session it still ends at the post-logout page", async () => {
    const response = await logout(harness.browser(), { origin: PUBLIC_URL });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(`${PUBLIC_URL}/`);
  });

  test("with a provider that has no end-session endpoint, it ends at postLogoutRedirectUri", async () => {
    const plain = await startHarness({
      provider: { metadata: { end_session_endpoint: undefined } },
      oidc: { postLogoutRedirectUri: "http://localhost:3000/signed-out" },
    });
    try {
      const client = await signedIn(plain);
      const response = await logout(client, { origin: PUBLIC_URL });
      expect(response.headers.get("location")).toBe("http://localhost:3000/signed-out");
      expect((await client.request(`${PUBLIC_URL}/me`)).status).toBe(401);
    } finally {
      await plain.close();
    }
  });
});
