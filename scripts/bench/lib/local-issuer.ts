// A minimal OpenID provider for benchmarks: discovery and JWKS on loopback, and RS256 access tokens
// minted here. The oidc plugin discovers it at start and caches its key like any provider's; during a
// measurement nothing reaches it. (The tests use the real `oidc-provider` package instead.)
import { exportJWK, generateKeyPair, SignJWT } from "jose";

export interface LocalIssuer {
  issuer: string;
  jwksUri: string;
  /** The public keys, for a contender that loads them from a file instead of fetching them. */
  jwks: { keys: Record<string, unknown>[] };
  /** A JWT access token for `subject`, valid for an hour. */
  accessToken(subject: string, audience: string): Promise<string>;
  stop(): void;
}

export const startLocalIssuer = async (): Promise<LocalIssuer> => {
  // RS256: what Authentik and Keycloak sign with by default.
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "bench-1", alg: "RS256", use: "sig" };
  let issuer = "";
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(request) {
      const { pathname } = new URL(request.url);
      if (pathname === "/.well-known/openid-configuration") {
        return Response.json({
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ["code"],
          subject_types_supported: ["public"],
          id_token_signing_alg_values_supported: ["RS256"],
          code_challenge_methods_supported: ["S256"],
          token_endpoint_auth_methods_supported: ["client_secret_basic"],
        });
      }
      if (pathname === "/jwks") return Response.json({ keys: [jwk] });
      return new Response("not found", { status: 404 });
    },
  });
  issuer = `http://127.0.0.1:${server.port}`;
  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    jwks: { keys: [jwk] },
    accessToken: (subject, audience) =>
      new SignJWT({ scope: "openid" })
        .setProtectedHeader({ alg: "RS256", kid: jwk.kid, typ: "at+jwt" })
        .setIssuer(issuer)
        .setSubject(subject)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(privateKey),
    stop: () => server.stop(true),
  };
};
