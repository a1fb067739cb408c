// Logout token validation (OpenID Back-Channel Logout 1.0 §2.6): the shared JWT checks, plus the
// back-channel event, no nonce (so an ID token can't pass for one), and a session or subject to end.
// Replay of the jti is refused by the route, which owns the I/O.
import type { JWTVerifyGetKey } from "jose";
import { isJsonObject } from "./read-json";
import { tokenRejected, verifyJwt } from "./verify-jwt";

export const BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout";

export interface LogoutExpectations {
  issuer: string;
  clientId: string;
  keys: JWTVerifyGetKey;
  clockToleranceSeconds: number;
}

export interface LogoutClaims {
  jti: string;
  /** Seconds since the epoch; the jti is remembered until then. */
  exp: number;
  subject?: string;
  sid?: string;
}

const nonEmpty = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

export const validateLogoutToken = async (token: string, expected: LogoutExpectations): Promise<LogoutClaims> => {
  const kind = "logout token";
  const { payload } = await verifyJwt(token, {
    kind,
    issuer: expected.issuer,
    audience: expected.clientId,
    keys: expected.keys,
    clockToleranceSeconds: expected.clockToleranceSeconds,
    requiredClaims: ["iss", "aud", "iat", "exp", "jti", "events"],
    acceptType: (typ) => typ === undefined || typ === "jwt" || typ === "logout+jwt",
  });
  const { events, jti, exp } = payload;
  if (!isJsonObject(events) || !isJsonObject(events[BACKCHANNEL_LOGOUT_EVENT])) {
    throw tokenRejected(kind, "claim_invalid", `The logout token's events claim does not contain ${BACKCHANNEL_LOGOUT_EVENT}`, {
      claim: "events",
    });
  }
  if (payload.nonce !== undefined) {
    throw tokenRejected(kind, "claim_invalid", "A logout token must not carry a nonce", { claim: "nonce" });
  }
  const subject = nonEmpty(payload.sub);
  const sid = nonEmpty(payload.sid);
  if (!subject && !sid) {
    throw tokenRejected(kind, "claim_missing", "The logout token names neither a subject (sub) nor a session (sid)", {
      claim: "sub",
    });
  }
  const id = nonEmpty(jti);
  if (!id || typeof exp !== "number") throw tokenRejected(kind, "claim_invalid", "The logout token's jti or exp is malformed");
  return { jti: id, exp, subject, sid };
};
