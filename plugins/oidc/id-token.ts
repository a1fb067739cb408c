// ID token validation (OpenID Connect Core §3.1.3.7) on top of the shared JWT checks: the audience
// and authorized party name this client, and the nonce is this sign-in's.
import { timingSafeEqual } from "node:crypto";
import type { JWTVerifyGetKey } from "jose";
import { groupsIn } from "./groups";
import { tokenRejected, verifyJwt } from "./verify-jwt";

export interface IdTokenExpectations {
  issuer: string;
  clientId: string;
  nonce: string;
  keys: JWTVerifyGetKey;
  clockToleranceSeconds: number;
  /** The claim that lists the user's groups; "groups" unless the provider's config names another. */
  groupsClaim?: string;
}

export interface IdTokenClaims {
  subject: string;
  sid?: string;
  email?: string;
  emailVerified: boolean;
  name?: string;
  /** Undefined when the token has no groups claim (userinfo may then have it). */
  groups?: string[];
}

const sameString = (a: string, b: string) => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

const optionalString = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

/** The profile claims Tessera keeps; `name` falls back to the user name a provider like Authentik always sends. */
export const profileClaims = (claims: Record<string, unknown>) => ({
  email: optionalString(claims.email),
  // Some providers send the string "true".
  emailVerified: claims.email_verified === true || claims.email_verified === "true",
  name: optionalString(claims.name) ?? optionalString(claims.preferred_username),
});

export const validateIdToken = async (token: string, expected: IdTokenExpectations): Promise<IdTokenClaims> => {
  const kind = "ID token";
  const { payload } = await verifyJwt(token, {
    kind,
    issuer: expected.issuer,
    audience: expected.clientId,
    keys: expected.keys,
    clockToleranceSeconds: expected.clockToleranceSeconds,
    requiredClaims: ["iss", "sub", "aud", "exp", "iat"],
  });
  const { aud, azp, nonce, sub } = payload;
  if (Array.isArray(aud) && aud.length > 1 && azp === undefined) {
    throw tokenRejected(kind, "claim_missing", "The ID token has several audiences but no authorized party (azp)", {
      claim: "azp",
    });
  }
  if (azp !== undefined && azp !== expected.clientId) {
    throw tokenRejected(kind, "claim_invalid", "The ID token was issued to another client (azp)", { claim: "azp" });
  }
  if (typeof nonce !== "string") {
    throw tokenRejected(kind, "claim_missing", "The ID token has no nonce, so it can't be tied to this sign-in", {
      claim: "nonce",
    });
  }
  if (!sameString(nonce, expected.nonce)) {
    throw tokenRejected(kind, "claim_invalid", "The ID token's nonce does not match this sign-in", { claim: "nonce" });
  }
  if (typeof sub !== "string" || sub === "" || sub.length > 255) {
    throw tokenRejected(kind, "claim_invalid", "The ID token's subject (sub) is not a string of 1 to 255 characters", {
      claim: "sub",
    });
  }
  return {
    subject: sub,
    sid: optionalString(payload.sid),
    ...profileClaims(payload),
    groups: groupsIn(payload, expected.groupsClaim ?? "groups"),
  };
};
