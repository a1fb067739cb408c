// Bearer access tokens from the provider, as a principal resolver: JWTs are verified locally against
// the configured audience; opaque tokens need introspection. The token's subject must be a user who
// has signed in here before: a token alone never creates a user (client-credentials tokens would make
// phantom ones, and access tokens rarely carry the email and name a user record wants). With several
// providers, a JWT's (unverified) `iss` only chooses whose keys and audience verify it.
import { andThen } from "tessera/plugin";
import type { Database } from "tessera/plugin/db";
import {
  bearerToken,
  createCredentialCache,
  findUserByIdentity,
  onIdentityChange,
  type Principal,
  type PrincipalResolver,
  type User,
} from "tessera/plugin/identity";
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
  /** How long a verified JWT is answered from memory (0: verified on every request). */
  cacheTtlMs: number;
}

// As many tokens as the session cache keeps sessions by default.
const CACHE_MAX_ENTRIES = 10_000;

const BEARER_CHALLENGE = { "www-authenticate": 'Bearer error="invalid_token"' };

// Tessera's own tokens (tss_ sessions, tsk_ keys, …) belong to other resolvers.
const isTesseraToken = (token: string) => /^ts[a-z]_/.test(token);

const looksLikeJwt = (token: string) => /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/.test(token);

const verifiedSubject = async (
  token: string,
  audience: string,
  options: TokenProvider,
): Promise<{ subject: string; expiresAt: number }> => {
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
  // `exp` is a required claim, so jose has checked it is a number.
  return { subject: payload.sub, expiresAt: (payload.exp ?? 0) * 1000 };
};

/** The provider that should verify a JWT: the one it names, else the first (whose check then fails with the reason). */
const jwtProvider = (token: string, providers: TokenProvider[]) => {
  const withAudience = providers.filter((provider) => provider.audience !== undefined);
  // One candidate (the usual set-up): no need to decode the token twice to choose it.
  if (withAudience.length < 2) return withAudience[0];
  const issuer = claimedIssuer(token);
  return withAudience.find((provider) => provider.issuer === issuer) ?? withAudience[0];
};

interface TokenSubject {
  issuer: string;
  subject: string;
  /** The token's own expiry (epoch ms), when it says. */
  expiresAt?: number;
}

const subjectOf = async (token: string, { providers }: AccessTokenOptions): Promise<TokenSubject> => {
  const jwt = looksLikeJwt(token) ? jwtProvider(token, providers) : undefined;
  if (jwt?.audience !== undefined) return { issuer: jwt.issuer, ...(await verifiedSubject(token, jwt.audience, jwt)) };
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

interface TokenUser {
  user: User;
  expiresAt?: number;
}

const userOf = async (token: string, options: AccessTokenOptions): Promise<TokenUser> => {
  const { issuer, subject, expiresAt } = await subjectOf(token, options);
  const user = await findUserByIdentity(options.db, issuer, subject);
  if (!user) {
    throw oidcError(
      "ERR_OIDC_UNKNOWN_SUBJECT",
      401,
      "The access token is valid, but its subject has never signed in here; sign in through the browser once",
      { headers: BEARER_CHALLENGE },
    );
  }
  return { user, expiresAt };
};

// Verified JWTs only: an opaque token's answer is the introspector's to keep (it has its own cache).
const verifiedJwtCache = (options: AccessTokenOptions) =>
  createCredentialCache<TokenUser & { expiresAt: number }>({
    ttlMs: options.cacheTtlMs,
    maxEntries: CACHE_MAX_ENTRIES,
    lookup: async (token) => {
      const found = await userOf(token, options);
      return { user: found.user, expiresAt: found.expiresAt ?? 0 };
    },
    expiresAt: (found) => found.expiresAt,
    staleAfter: ({ user }, { userIds }) => userIds.has(user.id),
  });

/** The resolver, and a way to stop its cache following identity changes. */
export const accessTokenResolver = (options: AccessTokenOptions): { resolver: PrincipalResolver; close(): void } => {
  const cache = verifiedJwtCache(options);
  const unlisten = onIdentityChange(options.db, (change) => cache.invalidate(change));
  const principalOf = (found: TokenUser | null): Principal | null =>
    found && {
      kind: "user",
      user: found.user,
      isAdmin: options.isAdmin(found.user),
      via: "token",
      ...(found.expiresAt === undefined ? {} : { expiresAt: found.expiresAt }),
    };
  const resolver: PrincipalResolver = (request) => {
    const token = bearerToken(request);
    if (!token || isTesseraToken(token)) return null;
    if (!looksLikeJwt(token)) return userOf(token, options).then(principalOf);
    const found = cache.find(token);
    return andThen(found, principalOf);
  };
  return { resolver, close: unlisten };
};
