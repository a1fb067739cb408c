// Public Ed25519 keys as peers publish them: the JWK shape, the RFC 7638 thumbprint that must be the
// key's kid (so nobody can publish a key under another key's name), and import for verification.
import { type Static, Type } from "@sinclair/typebox";
import { calculateJwkThumbprint, importJWK } from "jose";
import { fedError } from "../errors";

export const PublicJwkSchema = Type.Object({
  kty: Type.Literal("OKP"),
  crv: Type.Literal("Ed25519"),
  // 32 bytes, base64url without padding.
  x: Type.String({ pattern: "^[A-Za-z0-9_-]{43}$" }),
  kid: Type.String({ minLength: 1, maxLength: 128 }),
  alg: Type.Literal("EdDSA"),
  use: Type.Optional(Type.Literal("sig")),
  /** NumericDate (seconds): the key stops verifying then; set on keys a rotation retired. */
  notAfter: Type.Optional(Type.Integer({ minimum: 0 })),
});

export type PublicJwk = Static<typeof PublicJwkSchema>;

export const thumbprint = (jwk: Pick<PublicJwk, "kty" | "crv" | "x">): Promise<string> =>
  calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }, "sha256");

/** The key with only the members this protocol defines, its kid checked against its thumbprint. */
export const checkedJwk = async (jwk: PublicJwk): Promise<PublicJwk> => {
  if ((await thumbprint(jwk)) !== jwk.kid) {
    throw fedError("ERR_FED_MALFORMED", 400, `Key "${jwk.kid}" is not named by its RFC 7638 thumbprint`);
  }
  const { kty, crv, x, kid, alg, notAfter } = jwk;
  return notAfter === undefined ? { kty, crv, x, kid, alg } : { kty, crv, x, kid, alg, notAfter };
};

export const importPublicKey = (jwk: PublicJwk): Promise<CryptoKey> =>
  importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }, "EdDSA");

/** Whether a key may still verify at `nowS` (seconds). */
export const keyValid = (notAfter: number | undefined, nowS: number): boolean => notAfter === undefined || nowS < notAfter;
