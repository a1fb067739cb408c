// A peer that exists only in a test: its own Ed25519 key and instance document, and a signer that
// builds any message, well-formed or not, so the inbox can be fed exactly what an attacker would send.
import { CompactSign, calculateJwkThumbprint, compactVerify, exportJWK, generateKeyPair, importJWK } from "jose";

export interface FakeKey {
  kid: string;
  key: CryptoKey;
  jwk: { kty: "OKP"; crv: "Ed25519"; x: string; kid: string; alg: "EdDSA" };
}

export const makeKey = async (): Promise<FakeKey> => {
  const { privateKey, publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const { x = "" } = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint({ kty: "OKP", crv: "Ed25519", x });
  return { kid, key: privateKey, jwk: { kty: "OKP", crv: "Ed25519", x, kid, alg: "EdDSA" } };
};

export interface SignOptions {
  /** Claims to override or add; `undefined` values are removed. */
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
  /** Sign with this key instead of the peer's own (the header still names `header.kid` or the peer's kid). */
  key?: FakeKey;
}

export interface FakePeer {
  id: string;
  url: string;
  key: FakeKey;
  document(): Record<string, unknown>;
  /** A compact JWS to `aud`: a command unless `claims.type` says otherwise. */
  sign(aud: string, body: object, options?: SignOptions): Promise<{ jws: string; jti: string }>;
}

const encoder = new TextEncoder();

export const makePeer = async (url: string, id: string = crypto.randomUUID()): Promise<FakePeer> => {
  const key = await makeKey();
  const document = () => ({
    protocol: "tessera-fed/1",
    id,
    name: `fake ${id.slice(0, 8)}`,
    url,
    keys: [key.jwk],
    capabilities: [],
  });
  return {
    id,
    url,
    key,
    document,
    async sign(aud, body, options = {}) {
      const iat = Math.floor(Date.now() / 1000);
      const jti = crypto.randomUUID();
      const claims: Record<string, unknown> = { iss: id, aud, jti, iat, exp: iat + 60, type: "command", body };
      for (const [name, value] of Object.entries(options.claims ?? {})) {
        if (value === undefined) delete claims[name];
        else claims[name] = value;
      }
      const signer = options.key ?? key;
      const jws = await new CompactSign(encoder.encode(JSON.stringify(claims)))
        .setProtectedHeader({ alg: "EdDSA", typ: "tessera-fed+jwt", kid: key.kid, ...options.header })
        .sign(signer.key);
      return { jws, jti: typeof claims.jti === "string" ? claims.jti : jti };
    },
  };
};

/** Verifies a response with a key from the sender's document and returns its claims. */
export const readResponse = async (jws: string, jwk: Record<string, unknown>) => {
  const { payload } = await compactVerify(jws, await importJWK(jwk, "EdDSA"));
  return JSON.parse(new TextDecoder().decode(payload));
};
