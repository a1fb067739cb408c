// The provider's access tokens as bearer credentials: JWTs verified locally against the configured
// audience, opaque ones only by introspection, and only for users who have signed in here.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { JWTPayload } from "jose";
import { createSession } from "../../../core/identity/sessions";
import { createUser, updateUser } from "../../../core/identity/users";
import { CLIENT_ID, makeKey } from "./support/fake-provider";
import { type Harness, startHarness } from "./support/harness";

const API = "urn:tessera:api";
const now = () => Math.floor(Date.now() / 1000);

const accessClaims = (harness: Harness, overrides: JWTPayload = {}): JWTPayload => ({
  iss: harness.fake.issuer,
  aud: API,
  sub: "user-1",
  client_id: "some-cli",
  iat: now(),
  exp: now() + 300,
  jti: crypto.randomUUID(),
  ...overrides,
});

const me = (harness: Harness, token: string) => harness.tessera.request("/me", { headers: { authorization: `Bearer ${token}` } });

const expectRefused = async (response: Response, code: string, reason?: string) => {
  expect(response.status).toBe(401);
  expect(response.headers.get("www-authenticate")).toContain("Bearer");
  const body = await response.json();
  expect(body.code).toBe(code);
  if (reason) expect(body.reason).toBe(reason);
};

const signInOnce = async (harness: Harness, subject = "user-1") => {
  const response = await harness.signInWith(harness.browser(), (nonce) =>
    harness.fake.sign(harness.fake.idClaims(nonce, { sub: subject })),
  );
  expect(response.status).toBe(303);
};

describe("JWT access tokens", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ oidc: { audience: API } });
    await signInOnce(harness);
  });
  afterAll(() => harness.close());

  test("authenticate the user they were issued for (RFC 9068 at+jwt)", async () => {
    const token = await harness.fake.sign(accessClaims(harness), { header: { typ: "at+jwt" } });
    const response = await me(harness, token);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ user: { email: "user1@example.test" }, via: "token" });
  });

  test("are accepted with the plain JWT type Authentik and Keycloak send", async () => {
    expect((await me(harness, await harness.fake.sign(accessClaims(harness), { header: { typ: "JWT" } }))).status).toBe(200);
  });

  test("a token for a subject that never signed in here is refused", async () => {
    await expectRefused(
      await me(harness, await harness.fake.sign(accessClaims(harness, { sub: "stranger" }))),
      "ERR_OIDC_UNKNOWN_SUBJECT",
    );
  });

  test("a token for another audience is refused (an ID token, say)", async () => {
    await expectRefused(
      await me(harness, await harness.fake.sign(harness.fake.idClaims("n", { aud: CLIENT_ID }))),
      "ERR_OIDC_ACCESS_TOKEN",
      "claim_invalid",
    );
  });

  test("an expired token is refused", async () => {
    const token = await harness.fake.sign(accessClaims(harness, { iat: now() - 900, exp: now() - 600 }));
    await expectRefused(await me(harness, token), "ERR_OIDC_ACCESS_TOKEN", "expired");
  });

  test("a logout token is not an access token", async () => {
    const token = await harness.fake.sign(accessClaims(harness), { header: { typ: "logout+jwt" } });
    await expectRefused(await me(harness, token), "ERR_OIDC_ACCESS_TOKEN", "wrong_type");
  });

  test("an opaque token is refused with a code that says introspection is needed", async () => {
    const response = await me(harness, "an-opaque-token-from-the-provider");
    await expectRefused(response, "ERR_OIDC_OPAQUE_TOKEN");
  });

  test("Tessera session tokens still go to the session resolver", async () => {
    const user = await createUser(harness.tessera.runtime.db, { email: "cli@example.test" });
    const { token } = await createSession(harness.tessera.runtime.db, user.id, { ttlMs: 60_000 });
    const response = await me(harness, token);
    expect(await response.json()).toMatchObject({ user: { email: "cli@example.test" }, via: "session" });
  });
});

describe("verified JWT access tokens answered from memory", () => {
  const withdrawKey1 = async (harness: Harness) => {
    const replacement = await makeKey("key-2");
    harness.fake.published = [replacement];
    // A token naming the new key makes jose refetch the set (cooldown 0 here), which drops key-1.
    const fresh = await harness.fake.sign(accessClaims(harness), { key: replacement });
    expect((await me(harness, fresh)).status).toBe(200);
  };

  test("a verified token keeps working for accessTokenCacheMs after its key is withdrawn; new tokens with that key do not", async () => {
    const harness = await startHarness({ oidc: { audience: API, jwks: { cooldownMs: 0 } } });
    try {
      await signInOnce(harness);
      const token = await harness.fake.sign(accessClaims(harness));
      expect((await me(harness, token)).status).toBe(200);
      await withdrawKey1(harness);
      expect((await me(harness, token)).status).toBe(200);
      const another = await harness.fake.sign(accessClaims(harness));
      await expectRefused(await me(harness, another), "ERR_OIDC_ACCESS_TOKEN", "no_matching_key");
    } finally {
      await harness.close();
    }
  });

  test("with accessTokenCacheMs 0 every request is verified, so a withdrawn key ends the token at once", async () => {
    const harness = await startHarness({ oidc: { audience: API, jwks: { cooldownMs: 0 }, accessTokenCacheMs: 0 } });
    try {
      await signInOnce(harness);
      const token = await harness.fake.sign(accessClaims(harness));
      expect((await me(harness, token)).status).toBe(200);
      await withdrawKey1(harness);
      await expectRefused(await me(harness, token), "ERR_OIDC_ACCESS_TOKEN", "no_matching_key");
    } finally {
      await harness.close();
    }
  });

  test("a renamed user shows renamed at once, and the principal ends when the token does", async () => {
    const harness = await startHarness({ oidc: { audience: API } });
    try {
      await signInOnce(harness);
      const exp = now() + 120;
      const token = await harness.fake.sign(accessClaims(harness, { exp }));
      const first = await (await me(harness, token)).json();
      await updateUser(harness.tessera.runtime.db, first.user.id, { name: "Renamed" });
      expect(await (await me(harness, token)).json()).toMatchObject({ user: { name: "Renamed" } });
      const request = new Request("http://tessera.test/me", { headers: { authorization: `Bearer ${token}` } });
      expect(await harness.tessera.runtime.auth.principal(request)).toMatchObject({ via: "token", expiresAt: exp * 1000 });
    } finally {
      await harness.close();
    }
  });
});

describe("JWT access tokens that must be RFC 9068", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ oidc: { audience: API, requireAccessTokenType: true } });
    await signInOnce(harness);
  });
  afterAll(() => harness.close());

  test("a token typed JWT is refused", async () => {
    const token = await harness.fake.sign(accessClaims(harness), { header: { typ: "JWT" } });
    await expectRefused(await me(harness, token), "ERR_OIDC_ACCESS_TOKEN", "wrong_type");
  });

  test("a token typed application/at+jwt is accepted", async () => {
    const token = await harness.fake.sign(accessClaims(harness), { header: { typ: "application/at+jwt" } });
    expect((await me(harness, token)).status).toBe(200);
  });
});

describe("opaque access tokens with introspection", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ oidc: { introspection: true, audience: API } });
    await signInOnce(harness);
  });
  afterAll(() => harness.close());

  test("an active token is accepted, and the answer is cached briefly", async () => {
    harness.fake.introspectionRequests.length = 0;
    harness.fake.introspectionResponse = () =>
      Response.json({
        active: true,
        sub: "user-1",
        aud: [API],
        iss: harness.fake.issuer,
        exp: now() + 300,
        token_type: "Bearer",
      });
    expect((await me(harness, "opaque-active")).status).toBe(200);
    expect((await me(harness, "opaque-active")).status).toBe(200);
    expect(harness.fake.introspectionRequests).toHaveLength(1);
    const [request] = harness.fake.introspectionRequests;
    expect(request?.body.get("token")).toBe("opaque-active");
    expect(request?.authorization).toStartWith("Basic ");
  });

  test("an inactive token is refused", async () => {
    harness.fake.introspectionResponse = () => Response.json({ active: false });
    await expectRefused(await me(harness, "opaque-revoked"), "ERR_OIDC_ACCESS_TOKEN", "inactive");
  });

  test("an active token for another audience is refused", async () => {
    harness.fake.introspectionResponse = () => Response.json({ active: true, sub: "user-1", aud: "urn:other" });
    await expectRefused(await me(harness, "opaque-other-audience"), "ERR_OIDC_ACCESS_TOKEN", "inactive");
  });

  test("an introspection endpoint that fails is a 502, never a sign-in", async () => {
    harness.fake.introspectionResponse = () => Response.json({ error: "invalid_client" }, { status: 401 });
    const response = await me(harness, "opaque-while-broken");
    expect(response.status).toBe(502);
  });
});
