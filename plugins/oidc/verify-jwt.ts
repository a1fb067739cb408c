// The checks every token from the provider gets, stricter than jose's defaults: a size cap before any
// crypto, an asymmetric-only algorithm allow-list, the provider's keys only, exact issuer, audience,
// required time claims, and `iat` not in the future. jose's failures become coded, secret-free errors.
import { decodeJwt, errors, type JWTHeaderParameters, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from "jose";
import { isTesseraError } from "tessera/plugin";
import { type OidcErrorCode, oidcError } from "./errors";

export type TokenKind = "ID token" | "logout token" | "access token";

/**
 * The `iss` a token claims, unverified: only for choosing which provider's keys and client then
 * verify it. Undefined for what is not a JWT at all; verifying it says why, with its own reason.
 */
export const claimedIssuer = (token: string): string | undefined => {
  try {
    return decodeJwt(token).iss;
  } catch {
    return undefined;
  }
};

/** Asymmetric signatures only: never `none`, never HS* (whose "secret" could be the provider's public key). */
export const ALLOWED_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
];

export const MAX_TOKEN_LENGTH = 16 * 1024;

const REJECTION: Record<TokenKind, { code: OidcErrorCode; status: number }> = {
  "ID token": { code: "ERR_OIDC_ID_TOKEN", status: 401 },
  // OpenID Back-Channel Logout 1.0 §2.8: a logout token that fails validation gets a 400.
  "logout token": { code: "ERR_OIDC_LOGOUT_TOKEN", status: 400 },
  "access token": { code: "ERR_OIDC_ACCESS_TOKEN", status: 401 },
};

export interface JwtPolicy {
  kind: TokenKind;
  issuer: string;
  audience: string;
  keys: JWTVerifyGetKey;
  clockToleranceSeconds: number;
  requiredClaims: string[];
  /** Which header `typ` values are acceptable (lower-cased, without "application/"; undefined when absent). */
  acceptType?: (typ: string | undefined) => boolean;
}

export interface VerifiedJwt {
  payload: JWTPayload;
  header: JWTHeaderParameters;
}

/** A rejection: `reason` is stable for callers and tests, the message says what to check. */
export const tokenRejected = (kind: TokenKind, reason: string, message: string, extra: Record<string, unknown> = {}) => {
  const { code, status } = REJECTION[kind];
  return oidcError(code, status, message, {
    details: { reason, ...extra },
    headers: kind === "access token" ? { "www-authenticate": 'Bearer error="invalid_token"' } : undefined,
  });
};

export const normalizeType = (typ: unknown): string | undefined =>
  typeof typ === "string" ? typ.toLowerCase().replace(/^application\//, "") : undefined;

const CHECK_CLOCKS = "check that this server's clock agrees with the provider's";

const claimProblem = (kind: TokenKind, claim: string, reason: string) => {
  if (reason === "missing") return tokenRejected(kind, "claim_missing", `The ${kind} has no "${claim}" claim`, { claim });
  const messages: Record<string, string> = {
    iss: `The ${kind} was issued by another issuer than the configured provider`,
    aud: `The ${kind} is meant for another audience`,
    nbf: `The ${kind} is not valid yet (nbf); ${CHECK_CLOCKS}`,
    iat: `The ${kind} was issued in the future (iat); ${CHECK_CLOCKS}`,
  };
  const message = reason === "invalid" ? `The ${kind}'s "${claim}" claim has the wrong type` : messages[claim];
  return tokenRejected(kind, "claim_invalid", message ?? `The ${kind}'s "${claim}" claim is not acceptable`, { claim });
};

const keysUnavailable = (cause: unknown) =>
  oidcError("ERR_OIDC_UNAVAILABLE", 503, "The provider's signing keys could not be fetched; try again shortly", { cause });

/** jose's error, or a key-fetch failure, as the error the client should see. */
const translate = (kind: TokenKind, error: unknown) => {
  if (isTesseraError(error)) return keysUnavailable(error);
  if (!(error instanceof errors.JOSEError)) return keysUnavailable(error);
  if (error instanceof errors.JWTClaimValidationFailed) return claimProblem(kind, error.claim, error.reason);
  switch (error.code) {
    case "ERR_JWT_EXPIRED":
      return tokenRejected(kind, "expired", `The ${kind} has expired; if it was just issued, ${CHECK_CLOCKS}`);
    case "ERR_JOSE_ALG_NOT_ALLOWED":
      return tokenRejected(
        kind,
        "alg_not_allowed",
        `The ${kind} is signed with an algorithm that is not allowed (only RS*, PS*, ES* and EdDSA are)`,
      );
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
      return tokenRejected(kind, "bad_signature", `The ${kind}'s signature does not verify against the provider's keys`);
    case "ERR_JWKS_NO_MATCHING_KEY":
      return tokenRejected(kind, "no_matching_key", `None of the provider's keys matches the ${kind}'s key id and algorithm`);
    case "ERR_JWKS_MULTIPLE_MATCHING_KEYS":
      return tokenRejected(
        kind,
        "ambiguous_key",
        `The ${kind} names no key id (kid) and several of the provider's keys could have signed it`,
      );
    case "ERR_JWS_INVALID":
    case "ERR_JWT_INVALID":
    case "ERR_JOSE_NOT_SUPPORTED":
      return tokenRejected(kind, "malformed", `The ${kind} is not a well-formed JWT signed with a supported key`);
    default:
      // ERR_JWKS_TIMEOUT, ERR_JWKS_INVALID, ERR_JOSE_GENERIC: the provider's JWKS endpoint misbehaved.
      return keysUnavailable(error);
  }
};

export const verifyJwt = async (token: string, policy: JwtPolicy): Promise<VerifiedJwt> => {
  const { kind, clockToleranceSeconds } = policy;
  if (token.length > MAX_TOKEN_LENGTH) {
    throw tokenRejected(kind, "too_large", `The ${kind} is larger than ${MAX_TOKEN_LENGTH} bytes`);
  }
  let verified: { payload: JWTPayload; protectedHeader: JWTHeaderParameters };
  try {
    verified = await jwtVerify(token, policy.keys, {
      algorithms: ALLOWED_ALGORITHMS,
      issuer: policy.issuer,
      audience: policy.audience,
      clockTolerance: clockToleranceSeconds,
      requiredClaims: policy.requiredClaims,
    });
  } catch (error) {
    throw translate(kind, error);
  }
  const { payload, protectedHeader } = verified;
  // jose checks `iat` against the clock only when given a maximum age; a token from the future is refused here.
  if (typeof payload.iat === "number" && payload.iat > Date.now() / 1000 + clockToleranceSeconds) {
    throw claimProblem(kind, "iat", "check_failed");
  }
  if (policy.acceptType && !policy.acceptType(normalizeType(protectedHeader.typ))) {
    throw tokenRejected(kind, "wrong_type", `The ${kind} has an unexpected type (typ header)`);
  }
  return { payload, header: protectedHeader };
};
