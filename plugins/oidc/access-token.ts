// Bearer access tokens from the provider, as a principal resolver: JWTs are verified locally against
// the configured audience; opaque tokens need introspection. The token's subject must be a user who
// has signed in here before: a token alone never creates a user (client-credentials tokens would make
// phantom ones, and access tokens rarely carry the email and name a user record wants). With several
// providers, a JWT's (unverified) `iss` only chooses whose keys and audience verify it.
import type { Database } from "../../core/db/database";
import type { PrincipalResolver } from "../../core/identity/auth";
import { bearerToken } from "../../core/identity/credentials";
import { findUserByIdentity } from "../../core/identity/identities";
import type { User } from "../../core/identity/types";
import { oidcError } from "./errors";
import type { Introspector } from "./introspection";
import type { ProviderConnection } from "./provider-connection";
import { claimedIssuer, tokenRejected, verifyJwt } from "./verify-jwt";

/** A provider whose access tokens are accepted: JWTs when it has an audience, opaque ones when it introspects. */
export interface TokenProvider {
  issuer: string;
  audience?: string;
  requireAccessTokenType: boolean;
  clockToleranceSeconds: number;
  connection: ProviderConnection;
  introspector?: Introspector;
}

export interface AccessTokenOptions {
  /** In config order; never empty. */
  providers: TokenProvider[];
  db: Database;
  isAdmin: (user: User) => boolean;
}

const BEARER_CHALLENGE = { "www-authenticate": 'Bearer error="invalid_token"' };

// Tessera's own tokens (tss_ sessions, tsk_ keys, …) belong to other resolvers.
const isTesseraToken = (token: string) => /^ts[a-z]_/.test(token);

const looksLikeJwt = (token: string) => /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/.test(token);

const verifiedSubject = async (token: string, audience: string, options: TokenProvider): Promise<string> => {
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

/** The provider that should verify a JWT: the one it names, else the first (whose check then fails with the reason). */
const jwtProvider = (token: string, providers: TokenProvider[]) => {
  const withAudience = providers.filter((provider) => provider.audience !== undefined);
  const issuer = claimedIssuer(token);
  return withAudience.find((provider) => provider.issuer === issuer) ?? withAudience[0];
};

const subjectOf = async (token: string, { providers }: AccessTokenOptions): Promise<{ issuer: string; subject: string }> => {
  const jwt = looksLikeJwt(token) ? jwtProvider(token, providers) : undefined;
  if (jwt?.audience !== undefined) return { issuer: jwt.issuer, subject: await verifiedSubject(token, jwt.audience, jwt) };
  // An opaque token says nothing of its issuer: the first provider that introspects is asked.
  const introspecting = providers.find((provider) => provider.introspector !== undefined);
  if (introspecting?.introspector) {
    const { introspectionEndpoint, clientAuth } = introspecting.connection.require().metadata;
    // Discovery insists on the endpoint when introspection is on.
    if (introspectionEndpoint) {
      const subject = await introspecting.introspector.subjectOf(token, { endpoint: introspectionEndpoint, clientAuth });
      return { issuer: introspecting.issuer, subject };
    }
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
    const { issuer, subject } = await subjectOf(token, options);
    const user = await findUserByIdentity(options.db, issuer, subject);
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
