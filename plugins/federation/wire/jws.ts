// The compact-JWS steps shared by the inbox and by a hub reading a peer's response: split and decode
// without trusting anything, verify the signature with a pinned key, then check the claims and clock.
import { compactVerify } from "jose";
import { fedError } from "../errors";
import { CLOCK_SKEW_S, JWS_TYPE, MAX_LIFETIME_S } from "./constants";
import { type Claims, claimsCheck, firstError } from "./message";

export interface DecodedJws {
  text: string;
  kid: string;
  /** Parsed but not yet verified: only good for choosing the key. */
  payload: unknown;
}

const B64URL = /^[A-Za-z0-9_-]+$/;
const utf8 = new TextDecoder("utf-8", { fatal: true });

const malformed = (message: string) => fedError("ERR_FED_MALFORMED", 400, message);

const parseJson = (text: string, what: string): unknown => {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw fedError("ERR_FED_MALFORMED", 400, `The ${what} is not JSON`, { cause });
  }
};

const decodePart = (part: string, what: string): unknown => {
  let text: string;
  try {
    text = utf8.decode(Buffer.from(part, "base64url"));
  } catch (cause) {
    throw fedError("ERR_FED_MALFORMED", 400, `The ${what} is not UTF-8`, { cause });
  }
  return parseJson(text, what);
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export const decodeJws = (bytes: Uint8Array): DecodedJws => {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (cause) {
    throw fedError("ERR_FED_MALFORMED", 400, "The message is not UTF-8 text", { cause });
  }
  const parts = text.trim().split(".");
  const [headerPart = "", payloadPart = "", signaturePart = ""] = parts;
  if (parts.length !== 3 || ![headerPart, payloadPart, signaturePart].every((part) => B64URL.test(part))) {
    throw malformed("The message is not a compact JWS (three base64url parts joined by dots)");
  }
  const header = decodePart(headerPart, "JWS header");
  if (!isObject(header)) throw malformed("The JWS header is not a JSON object");
  if (header.alg !== "EdDSA") throw malformed('The JWS header must say "alg": "EdDSA"');
  if (header.typ !== JWS_TYPE) throw malformed(`The JWS header must say "typ": "${JWS_TYPE}"`);
  if (typeof header.kid !== "string" || header.kid === "" || header.kid.length > 128)
    throw malformed("The JWS header has no kid");
  if ("crit" in header) throw malformed("The JWS header may not carry crit");
  return { text: parts.join("."), kid: header.kid, payload: decodePart(payloadPart, "JWS payload") };
};

/** Unverified claims, read only to find the sender's pinned key. */
export const peekClaims = (payload: unknown): { iss: string; type: string; body: unknown } => {
  if (!isObject(payload) || typeof payload.iss !== "string" || typeof payload.type !== "string") {
    throw malformed("The JWS payload has no iss or type");
  }
  return { iss: payload.iss, type: payload.type, body: payload.body };
};

export const verifySignature = async (jws: DecodedJws, key: CryptoKey): Promise<Claims> => {
  try {
    await compactVerify(jws.text, key, { algorithms: ["EdDSA"] });
  } catch (cause) {
    throw fedError("ERR_FED_SIGNATURE", 401, `The signature does not verify with key "${jws.kid}"`, { cause });
  }
  // The verified payload is the very part decoded above, so its parse stands.
  if (!claimsCheck.Check(jws.payload)) throw malformed(`The claims are invalid (${firstError(claimsCheck, jws.payload)})`);
  return jws.payload;
};

export const checkClock = (claims: Pick<Claims, "iat" | "exp">, nowS: number): void => {
  const off = claims.iat - nowS;
  if (Math.abs(off) > CLOCK_SKEW_S) {
    throw fedError("ERR_FED_CLOCK", 401, `iat is ${off} s from this instance's clock; at most ±${CLOCK_SKEW_S} s is allowed`);
  }
  if (claims.exp <= claims.iat || claims.exp - claims.iat > MAX_LIFETIME_S) {
    throw fedError("ERR_FED_CLOCK", 401, `exp must be after iat and at most ${MAX_LIFETIME_S} s later`);
  }
  if (claims.exp < nowS) throw fedError("ERR_FED_CLOCK", 401, "The message has expired");
};
