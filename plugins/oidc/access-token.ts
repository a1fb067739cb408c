// Bearer access tokens from the provider, as a principal resolver: JWTs are verified locally against
// the configured audience; opaque tokens need introspection. The token's subject must be a user who
// has signed in here before: a token alone never creates a user (client-credentials tokens would make
// phantom ones, and access tokens rarely carry the email and name a user record wants).
import type { Database } from "../../core/db/database";
import type { PrincipalResolver } from "../../core/identity/auth";
import { bearerToken } from "../../core/identity/credentials";
import { findUserByIdentity } from "../../core/identity/identities";
import type { User } from "../../core/identity/types";
import { oidcError } from "./errors";
import type { Introspector } from "./introspection";
import type { ProviderConnection } from "./provider-connection";
import { tokenRejected, verifyJwt } from "./verify-jwt";

export interface AccessTokenOptions {
  issuer: string;
  audience?: string;
  requireAccessTokenType: boolean;
  clockToleranceSeconds: number;
  connection: ProviderConnection;
  introspector?: Introspector;
  db: Database;
  isAdmin: (user: User) => boolean;
}

const BEARER_CHALLENGE = { "www-authenticate": 'Bearer error="invalid_token"' };

// Tessera's own tokens (tss_ sessions, tsk_ keys, …) belong to other resolvers.
const isTesseraToken = (token: string) => /^ts[a-z]_/.test(token);

const looksLikeJwt = (token: string) => /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/.test(token);

const verifiedSubject = async (token: string, audience: string, options: AccessTokenOptions): Promise<string> => {
  const { payload } = await verifyJwt(token, {
    kind: "access token",
    issuer: options.issuer,
    audience,
    keys: options.connection.require().keys,
    clockToleranceSeconds: options.clockToleranceSeconds,
    requiredClaims: ["iss", "sub", "aud", "exp", "iat"],
    // RFC 9068's type, when required; otherwise also the plain "JWT" Authentik and Keycloak send.
    acceptType: options.requireAccessTokenType
      ? (typ) => typ === "at+jwt"
      : (typ) => typ === undefined || typ === "jwt" || typ === "at+jwt",
  });
  if (typeof payload.sub !== "string" || payload.sub === "") {
    throw tokenRejected("access token", "claim_invalid", 'The access token\'s "sub" claim is empty', { claim: "sub" });
  }
  return payload.sub;
};

const subjectOf = async (token: string, options: AccessTokenOptions): Promise<string> => {
  if (looksLikeJwt(token) && options.audience !== undefined) return verifiedSubject(token, options.audience, options);
  const { introspector } = options;
  if (introspector) {
    const { introspectionEndpoint, clientAuth } = options.connection.require().metadata;
    // Discovery insists on the endpoint when introspection is on.
    if (introspectionEndpoint) return introspector.subjectOf(token, { endpoint: introspectionEndpoint, clientAuth });
  }
  throw oidcError(
    "ERR_OIDC_OPAQUE_TOKEN",
    401,
    looksLikeJwt(token)
      ? "JWT access tokens are accepted only when plugins.oidc.audience is set"
      : "This access token is opaque (not a JWT): it can only be checked by introspection; set plugins.oidc.introspection: true, or have the provider issue JWT access tokens",
    { headers: BEARER_CHALLENGE },
  );
};

export const accessTokenResolver =
  (options: AccessTokenOptions): PrincipalResolver =>
  async (request) => {
    const token = bearerToken(request);
    if (!token || isTesseraToken(token)) return null;
    const subject = await subjectOf(token, options);
    const user = await findUserByIdentity(options.db, options.issuer, subject);
    if (!user) {
      throw oidcError(
        "ERR_OIDC_UNKNOWN_SUBJECT",
        401,
        "The access token is valid, but its subject has never signed in here; sign in through the browser once",
        {
          headers: BEARER_CHALLENGE,
        },
      );
    }
    return { kind: "user", user, isAdmin: options.isAdmin(user), via: "token" };
  };
