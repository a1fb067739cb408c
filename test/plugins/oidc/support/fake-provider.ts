// A scriptable OpenID provider for adversarial tests: discovery, a JWKS the test controls, and a
// token endpoint that returns whatever ID token the test signed, so every check can be attacked.
import { createHash } from "node:crypto";
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from "jose";

export const CLIENT_ID = "tessera-test";
export const CLIENT_SECRET = "fake-client-secret-0123456789abcdef";

export interface SigningKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export const makeKey = async (kid: string, alg = "RS256"): Promise<SigningKey> => {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
};

export interface TokenRequest {
  body: URLSearchParams;
  authorization: string | null;
}

export interface FakeProviderOptions {
  port?: number;
  /** Changes to the discovery document (e.g. another issuer, fewer auth methods). */
  metadata?: Record<string, unknown>;
}

export interface FakeProvider {
  issuer: string;
  host: string;
  /** The keys published at jwks_uri; tests replace them to rotate. */
  published: SigningKey[];
  /** Published without their kid (to test key selection without one). */
  publishWithoutKid: boolean;
  jwksFetches: number;
  tokenRequests: TokenRequest[];
  introspectionRequests: TokenRequest[];
  /** What the token endpoint answers next. */
  tokenResponse: (request: TokenRequest) => Response | Promise<Response>;
  introspectionResponse: (request: TokenRequest) => Response | Promise<Response>;
  metadata: Record<string, unknown>;
  sign(payload: JWTPayload, options?: { key?: SigningKey; kid?: string | null; header?: { typ?: string } }): Promise<string>;
  /** ID token claims that pass every check, for `nonce`; override any of them. */
  idClaims(nonce: string, overrides?: JWTPayload): JWTPayload;
  respondWithIdToken(token: string): void;
  close(): void;
}

const json = (value: unknown, status = 200) => Response.json(value, { status, headers: { "cache-control": "no-store" } });

export const startFakeProvider = async (options: FakeProviderOptions = {}): Promise<FakeProvider> => {
  const primary = await makeKey("key-1");
  let fake: FakeProvider;
  const server = Bun.serve({
    port: options.port ?? 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const url = new URL(request.url);
      const capture = async (): Promise<TokenRequest> => ({
        body: new URLSearchParams(await request.text()),
        authorization: request.headers.get("authorization"),
      });
      switch (url.pathname) {
        case "/.well-known/openid-configuration":
          return json(fake.metadata);
        case "/jwks":
          fake.jwksFetches += 1;
          return json({
            keys: fake.published.map(({ publicJwk }) => {
              if (!fake.publishWithoutKid) return publicJwk;
              const { kid: _kid, ...rest } = publicJwk;
              return rest;
            }),
          });
        case "/token": {
          const captured = await capture();
          fake.tokenRequests.push(captured);
          return fake.tokenResponse(captured);
        }
        case "/introspect": {
          const captured = await capture();
          fake.introspectionRequests.push(captured);
          return fake.introspectionResponse(captured);
        }
        default:
          return new Response("not found", { status: 404 });
      }
    },
  });
  const issuer = `http://127.0.0.1:${server.port}`;
  fake = {
    issuer,
    host: `127.0.0.1:${server.port}`,
    published: [primary],
    publishWithoutKid: false,
    jwksFetches: 0,
    tokenRequests: [],
    introspectionRequests: [],
    tokenResponse: () => json({ error: "invalid_grant" }, 400),
    introspectionResponse: () => json({ active: false }),
    metadata: {
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      introspection_endpoint: `${issuer}/introspect`,
      end_session_endpoint: `${issuer}/end-session`,
      response_types_supported: ["code"],
      code_challenge_methods_supported: ["S256"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      id_token_signing_alg_values_supported: ["RS256"],
      authorization_response_iss_parameter_supported: true,
      ...options.metadata,
    },
    async sign(payload, { key = primary, kid, header = {} } = {}) {
      return new SignJWT(payload)
        .setProtectedHeader({ alg: key.alg, ...(kid === null ? {} : { kid: kid ?? key.kid }), ...header })
        .sign(key.privateKey);
    },
    idClaims(nonce, overrides = {}) {
      const now = Math.floor(Date.now() / 1000);
      return {
        iss: issuer,
        aud: CLIENT_ID,
        sub: "user-1",
        iat: now,
        exp: now + 300,
        nonce,
        email: "user1@example.test",
        name: "User One",
        ...overrides,
      };
    },
    respondWithIdToken(token) {
      fake.tokenResponse = () =>
        json({ id_token: token, access_token: "opaque-access-token", token_type: "Bearer", expires_in: 300 });
    },
    close: () => server.stop(true),
  };
  return fake;
};

/** The PKCE S256 challenge of a verifier, to check what the relying party sent. */
export const s256 = (verifier: string) => createHash("sha256").update(verifier).digest("base64url");
