// Adversarial ID tokens, signed by the tests: each must leave the browser without a session and get a
// coded 4xx, never a 5xx.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { exportSPKI, SignJWT } from "jose";
import { CLIENT_ID, makeKey, type SigningKey } from "./support/fake-provider";
import { expectNoSession, type Harness, PUBLIC_URL, startHarness } from "./support/harness";

let harness: Harness;
beforeAll(async () => {
  // No cooldown, so a refetch on an unknown kid is observable right away.
  harness = await startHarness({ oidc: { jwks: { cooldownMs: 0 } } });
});
afterAll(() => harness.close());

const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

const rejected = async (makeToken: (nonce: string) => Promise<string>, reason: string, claim?: string) => {
  const client = harness.browser();
  const response = await harness.signInWith(client, makeToken);
  const body = await expectNoSession(client, response, 401, "ERR_OIDC_ID_TOKEN");
  expect(body.reason).toBe(reason);
  if (claim) expect(body.claim).toBe(claim);
};

describe("ID token validation", () => {
  test("accepts a well-formed token and signs the user in", async () => {
    const client = harness.browser();
    const response = await harness.signInWith(client, (nonce) => harness.fake.sign(harness.fake.idClaims(nonce)));
    expect(response.status).toBe(303);
    expect((await client.request(`${PUBLIC_URL}/me`)).status).toBe(200);
  });

  test("rejects a token whose signature does not verify", async () => {
    const impostor = await makeKey("key-1");
    await rejected((nonce) => harness.fake.sign(harness.fake.idClaims(nonce), { key: impostor }), "bad_signature");
  });

  test("rejects an unsigned token (alg none)", async () => {
    await rejected(async (nonce) => `${b64({ alg: "none" })}.${b64(harness.fake.idClaims(nonce))}.`, "alg_not_allowed");
  });

  test("rejects HS256 keyed with the provider's RSA public key", async () => {
    const [published] = harness.fake.published;
    if (!published) throw new Error("no published key");
    const { createPublicKey } = await import("node:crypto");
    const spki = await exportSPKI(createPublicKey({ key: published.publicJwk, format: "jwk" }));
    await rejected(
      (nonce) =>
        new SignJWT(harness.fake.idClaims(nonce))
          .setProtectedHeader({ alg: "HS256", kid: published.kid })
          .sign(new TextEncoder().encode(spki)),
      "alg_not_allowed",
    );
  });

  test("rejects a token from another issuer", async () => {
    await rejected(
      (nonce) => harness.fake.sign(harness.fake.idClaims(nonce, { iss: "https://evil.example" })),
      "claim_invalid",
      "iss",
    );
  });

  test("rejects a token for another client", async () => {
    await rejected((nonce) => harness.fake.sign(harness.fake.idClaims(nonce, { aud: "someone-else" })), "claim_invalid", "aud");
  });

  test("rejects several audiences without an authorized party", async () => {
    await rejected(
      (nonce) => harness.fake.sign(harness.fake.idClaims(nonce, { aud: [CLIENT_ID, "other"] })),
      "claim_missing",
      "azp",
    );
  });

  test("rejects an authorized party that is another client", async () => {
    await rejected(
      (nonce) => harness.fake.sign(harness.fake.idClaims(nonce, { aud: [CLIENT_ID, "other"], azp: "other" })),
      "claim_invalid",
      "azp",
    );
  });

  test("accepts several audiences when azp is this client", async () => {
    const client = harness.browser();
    const response = await harness.signInWith(client, (nonce) =>
      harness.fake.sign(harness.fake.idClaims(nonce, { aud: [CLIENT_ID, "other"], azp: CLIENT_ID })),
    );
    expect(response.status).toBe(303);
  });

  test("rejects an expired token", async () => {
    await rejected((nonce) => harness.fake.sign(harness.fake.idClaims(nonce, { iat: now() - 600, exp: now() - 120 })), "expired");
  });

  for (const claim of ["exp", "iat", "sub"]) {
    test(`rejects a token without ${claim}`, async () => {
      await rejected(
        async (nonce) => {
          const { [claim]: _dropped, ...claims } = harness.fake.idClaims(nonce);
          return harness.fake.sign(claims);
        },
        "claim_missing",
        claim,
      );
    });
  }

  test("rejects a token issued in the future beyond the clock tolerance", async () => {
    await rejected(
      (nonce) => harness.fake.sign(harness.fake.idClaims(nonce, { iat: now() + 120, exp: now() + 600 })),
      "claim_invalid",
      "iat",
    );
  });

  test("accepts a token issued slightly in the future, within the clock tolerance", async () => {
    const response = await harness.signInWith(harness.browser(), (nonce) =>
      harness.fake.sign(harness.fake.idClaims(nonce, { iat: now() + 10 })),
    );
    expect(response.status).toBe(303);
  });

  test("rejects a token that is not valid yet (nbf)", async () => {
    await rejected((nonce) => harness.fake.sign(harness.fake.idClaims(nonce, { nbf: now() + 120 })), "claim_invalid", "nbf");
  });

  test("rejects a token without a nonce", async () => {
    await rejected((nonce) => harness.fake.sign(harness.fake.idClaims(nonce, { nonce: undefined })), "claim_missing", "nonce");
  });

  test("rejects a token whose nonce does not match", async () => {
    await rejected(() => harness.fake.sign(harness.fake.idClaims("another-sign-in-nonce")), "claim_invalid", "nonce");
  });

  test("rejects an oversized token before any crypto", async () => {
    const fetches = harness.fake.jwksFetches;
    await rejected((nonce) => harness.fake.sign(harness.fake.idClaims(nonce, { padding: "x".repeat(20_000) })), "too_large");
    expect(harness.fake.jwksFetches).toBe(fetches);
  });
});

describe("provider keys", () => {
  test("an unknown kid triggers one refetch of the provider's keys, then fails", async () => {
    const stranger = await makeKey("never-published");
    const before = harness.fake.jwksFetches;
    await rejected((nonce) => harness.fake.sign(harness.fake.idClaims(nonce), { key: stranger }), "no_matching_key");
    expect(harness.fake.jwksFetches).toBe(before + 1);
  });

  test("a key rotated at the provider is picked up", async () => {
    const rotated = await makeKey("key-2");
    const previous = harness.fake.published;
    harness.fake.published = [...previous, rotated];
    try {
      const response = await harness.signInWith(harness.browser(), (nonce) =>
        harness.fake.sign(harness.fake.idClaims(nonce), { key: rotated }),
      );
      expect(response.status).toBe(303);
    } finally {
      harness.fake.published = previous;
    }
  });
});

describe("tokens without kid (jose's selection: exactly one key must fit)", () => {
  // A fresh provider per case, so the keys it publishes are the ones first fetched.
  const signInWithout = async (extraKeys: SigningKey[]) => {
    const fresh = await startHarness();
    try {
      fresh.fake.published = [...fresh.fake.published, ...extraKeys];
      const client = fresh.browser();
      const response = await fresh.signInWith(client, (nonce) => fresh.fake.sign(fresh.fake.idClaims(nonce), { kid: null }));
      return { status: response.status, body: response.status === 303 ? null : await response.json() };
    } finally {
      await fresh.close();
    }
  };

  test("is accepted when the provider has one key", async () => {
    expect((await signInWithout([])).status).toBe(303);
  });

  test("is refused when several keys could have signed it", async () => {
    const { status, body } = await signInWithout([await makeKey("key-3")]);
    expect(status).toBe(401);
    expect(body).toMatchObject({ code: "ERR_OIDC_ID_TOKEN", reason: "ambiguous_key" });
  });

  test("is accepted when only one of several keys fits its algorithm", async () => {
    expect((await signInWithout([await makeKey("ec-key", "ES256")])).status).toBe(303);
  });
});

describe("provider keys with a cooldown", () => {
  let cooled: Harness;
  beforeAll(async () => {
    cooled = await startHarness({ oidc: { jwks: { cooldownMs: 60_000 } } });
  });
  afterAll(() => cooled.close());

  test("unknown kids don't refetch the keys again within the cooldown", async () => {
    const first = await cooled.signInWith(cooled.browser(), (nonce) => cooled.fake.sign(cooled.fake.idClaims(nonce)));
    expect(first.status).toBe(303);
    const fetches = cooled.fake.jwksFetches;
    const stranger = await makeKey("unknown");
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await cooled.signInWith(cooled.browser(), (nonce) =>
        cooled.fake.sign(cooled.fake.idClaims(nonce), { key: stranger }),
      );
      expect(response.status).toBe(401);
    }
    expect(cooled.fake.jwksFetches).toBe(fetches);
  });
});
