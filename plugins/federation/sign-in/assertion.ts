// The signed assertion of a federated sign-in: the home instance says "this is my user <sub>" to one
// peer (aud), for one sign-in (nonce), for at most two minutes, with its pinned instance key (EdDSA).
// Its own `typ`, so neither an assertion nor a federation message can pass for the other. Verified as
// strictly as an ID token: every claim, the key pinned for that very peer, and a single use.
import { CompactSign, compactVerify, decodeProtectedHeader } from "jose";
import { fedError } from "../errors";
import { keyValid } from "../identity/jwk";
import type { Signer } from "../identity/key-store";
import type { PeerEntry } from "../peers/peer-cache";
import { CLOCK_SKEW_S, nowSeconds } from "../wire/constants";

export const ASSERTION_TYPE = "tessera-assertion+jwt";
export const ASSERTION_LIFETIME_S = 120;
const MAX_ASSERTION_LENGTH = 8 * 1024;

export interface AssertionClaims {
  iss: string;
  aud: string;
  sub: string;
  email?: string;
  name?: string;
  nonce: string;
  jti: string;
  iat: number;
  exp: number;
}

export type AssertedUser = Pick<AssertionClaims, "sub" | "email" | "name">;

const encoder = new TextEncoder();

export const signAssertion = async (
  signer: Signer,
  claims: { iss: string; aud: string; nonce: string; user: AssertedUser },
): Promise<string> => {
  const iat = nowSeconds();
  const { sub, email, name } = claims.user;
  const payload: AssertionClaims = {
    iss: claims.iss,
    aud: claims.aud,
    sub,
    ...(email === undefined ? {} : { email }),
    ...(name === undefined ? {} : { name }),
    nonce: claims.nonce,
    jti: crypto.randomUUID(),
    iat,
    exp: iat + ASSERTION_LIFETIME_S,
  };
  return new CompactSign(encoder.encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: "EdDSA", typ: ASSERTION_TYPE, kid: signer.kid })
    .sign(signer.key);
};

export const assertionRejected = (reason: string, message: string, cause?: unknown) =>
  fedError("ERR_FED_ASSERTION", 401, `The sign-in assertion was refused: ${message}`, { details: { reason }, cause });

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const text = (value: unknown, max: number): value is string => typeof value === "string" && value !== "" && value.length <= max;

const claimsOf = (payload: Uint8Array): AssertionClaims => {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload));
  } catch (cause) {
    throw assertionRejected("malformed", "its payload is not JSON", cause);
  }
  if (!isObject(value)) throw assertionRejected("malformed", "its payload is not an object");
  const { iss, aud, sub, email, name, nonce, jti, iat, exp } = value;
  if (!text(iss, 128) || !text(aud, 128) || !text(sub, 128) || !text(nonce, 128) || !text(jti, 128)) {
    throw assertionRejected("malformed", "iss, aud, sub, nonce and jti must be non-empty strings");
  }
  if (!Number.isInteger(iat) || !Number.isInteger(exp)) throw assertionRejected("malformed", "iat and exp must be integers");
  if ((email !== undefined && !text(email, 320)) || (name !== undefined && !text(name, 200))) {
    throw assertionRejected("malformed", "email and name, when present, must be short strings");
  }
  return { iss, aud, sub, email, name, nonce, jti, iat: Number(iat), exp: Number(exp) };
};

export interface AssertionExpectations {
  /** The peer the sign-in was started with; the one whose pinned key must have signed. */
  peer: PeerEntry;
  /** This instance's id. */
  audience: string;
  nonce: string;
}

/** The verified claims; any failed check is a 401 ERR_FED_ASSERTION naming the reason. */
export const verifyAssertion = async (token: string, expected: AssertionExpectations): Promise<AssertionClaims> => {
  if (token.length > MAX_ASSERTION_LENGTH) throw assertionRejected("malformed", "it is too long");
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch (cause) {
    throw assertionRejected("malformed", "it is not a compact JWS", cause);
  }
  if (header.alg !== "EdDSA" || header.typ !== ASSERTION_TYPE || "crit" in header) {
    throw assertionRejected("malformed", `its header must say alg EdDSA and typ ${ASSERTION_TYPE}`);
  }
  const { peer } = expected;
  const now = nowSeconds();
  const pinned = typeof header.kid === "string" ? peer.keys.get(header.kid) : undefined;
  // Only the key pinned for this peer when it was accepted; nothing is fetched for an unknown kid.
  if (!pinned || !keyValid(pinned.notAfter, now)) {
    throw assertionRejected("unknown_key", `it is not signed with a key pinned for peer ${peer.peer.id}`);
  }
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(token, pinned.key, { algorithms: ["EdDSA"] }));
  } catch (cause) {
    throw assertionRejected("signature", "its signature does not verify", cause);
  }
  const claims = claimsOf(payload);
  if (claims.iss !== peer.peer.id) throw assertionRejected("issuer", "it was issued by another instance than the peer");
  if (claims.aud !== expected.audience) throw assertionRejected("audience", "it is addressed to another instance");
  if (Math.abs(claims.iat - now) > CLOCK_SKEW_S) throw assertionRejected("iat", "its iat is too far from this clock");
  if (claims.exp <= claims.iat || claims.exp - claims.iat > ASSERTION_LIFETIME_S) {
    throw assertionRejected("lifetime", `its exp must be after iat and at most ${ASSERTION_LIFETIME_S} s later`);
  }
  if (claims.exp < now) throw assertionRejected("expired", "it has expired");
  if (claims.nonce !== expected.nonce) throw assertionRejected("nonce", "it belongs to another sign-in");
  return claims;
};
