// POST /auth/backchannel-logout (OpenID Back-Channel Logout 1.0): a valid logout token revokes the
// sessions it names; anything else is a 400 and revokes nothing.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { JWTPayload } from "jose";
import type { Browser } from "../../support/browser";
import { CLIENT_ID, makeKey } from "./support/fake-provider";
import { type Harness, PUBLIC_URL, startHarness } from "./support/harness";

const EVENT = "http://schemas.openid.net/event/backchannel-logout";

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());

const now = () => Math.floor(Date.now() / 1000);

const signedIn = async (subject: string, sid: string): Promise<Browser> => {
  const client = harness.browser();
  const response = await harness.signInWith(client, (nonce) =>
    harness.fake.sign(harness.fake.idClaims(nonce, { sub: subject, sid, email: `${subject}@example.test` })),
  );
  expect(response.status).toBe(303);
  return client;
};

const isSignedIn = async (client: Browser) => (await client.request(`${PUBLIC_URL}/me`)).status === 200;

const logoutClaims = (overrides: JWTPayload = {}): JWTPayload => ({
  iss: harness.fake.issuer,
  aud: CLIENT_ID,
  iat: now(),
  exp: now() + 120,
  jti: crypto.randomUUID(),
  events: { [EVENT]: {} },
  ...overrides,
});

const post = (body: string, contentType = "application/x-www-form-urlencoded") =>
  harness.tessera.request("/auth/backchannel-logout", { method: "POST", headers: { "content-type": contentType }, body });

const send = async (token: string) => post(new URLSearchParams({ logout_token: token }).toString());

describe("back-channel logout", () => {
  test("a token with sid revokes that provider session only", async () => {
    const laptop = await signedIn("bc-user-1", "sid-laptop");
    const phone = await signedIn("bc-user-1", "sid-phone");
    const response = await send(
      await harness.fake.sign(logoutClaims({ sub: "bc-user-1", sid: "sid-laptop" }), { header: { typ: "logout+jwt" } }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await isSignedIn(laptop)).toBe(false);
    expect(await isSignedIn(phone)).toBe(true);
  });

  test("a token with only sub revokes every session of that user from this provider", async () => {
    const laptop = await signedIn("bc-user-2", "sid-a");
    const phone = await signedIn("bc-user-2", "sid-b");
    const bystander = await signedIn("bc-user-3", "sid-c");
    expect((await send(await harness.fake.sign(logoutClaims({ sub: "bc-user-2" })))).status).toBe(200);
    expect(await isSignedIn(laptop)).toBe(false);
    expect(await isSignedIn(phone)).toBe(false);
    expect(await isSignedIn(bystander)).toBe(true);
  });

  test("a replayed logout token is refused", async () => {
    await signedIn("bc-user-4", "sid-d");
    const token = await harness.fake.sign(logoutClaims({ sid: "sid-d" }));
    expect((await send(token)).status).toBe(200);
    const replay = await send(token);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ code: "ERR_OIDC_LOGOUT_TOKEN", reason: "replayed" });
  });

  const refusals: [string, () => Promise<string>, string][] = [
    [
      "no back-channel event",
      () => harness.fake.sign(logoutClaims({ sid: "sid-x", events: { "urn:other": {} } })),
      "claim_invalid",
    ],
    ["no events claim", () => harness.fake.sign(logoutClaims({ sid: "sid-x", events: undefined })), "claim_missing"],
    ["a nonce (an ID token, say)", () => harness.fake.sign(logoutClaims({ sid: "sid-x", nonce: "n" })), "claim_invalid"],
    ["neither sub nor sid", () => harness.fake.sign(logoutClaims()), "claim_missing"],
    ["no jti", () => harness.fake.sign(logoutClaims({ sid: "sid-x", jti: undefined })), "claim_missing"],
    ["another audience", () => harness.fake.sign(logoutClaims({ sid: "sid-x", aud: "other-client" })), "claim_invalid"],
    ["another issuer", () => harness.fake.sign(logoutClaims({ sid: "sid-x", iss: "https://evil.example" })), "claim_invalid"],
    ["an expired token", () => harness.fake.sign(logoutClaims({ sid: "sid-x", iat: now() - 600, exp: now() - 300 })), "expired"],
    [
      "a foreign signature",
      async () => harness.fake.sign(logoutClaims({ sid: "sid-x" }), { key: await makeKey("key-1") }),
      "bad_signature",
    ],
    [
      "an access token type",
      () => harness.fake.sign(logoutClaims({ sid: "sid-x" }), { header: { typ: "at+jwt" } }),
      "wrong_type",
    ],
  ];
  for (const [what, makeToken, reason] of refusals) {
    test(`refuses a logout token with ${what}, revoking nothing`, async () => {
      const client = await signedIn("bc-victim", "sid-x");
      const response = await send(await makeToken());
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: "ERR_OIDC_LOGOUT_TOKEN", reason });
      expect(await isSignedIn(client)).toBe(true);
    });
  }

  test("refuses a body that is not form-encoded", async () => {
    const response = await post(JSON.stringify({ logout_token: "x" }), "application/json");
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "ERR_OIDC_LOGOUT_TOKEN" });
  });

  test("refuses garbage with a 400, not a 5xx", async () => {
    expect((await send("not-a-jwt")).status).toBe(400);
    expect((await send(`eyJ${"a".repeat(20_000)}.b.c`)).status).toBe(400);
  });
});
