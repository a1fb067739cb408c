// The instance's Ed25519 identity keys, kept in the kv table. The newest key signs; a rotation gives the
// previous one a notAfter and it stays published, and verifying, until then. Private halves never leave
// this module: not in logs, errors or documents.
import { Type } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { exportJWK, generateKeyPair, importJWK } from "jose";
import { TesseraError } from "tessera/plugin";
import type { Database } from "tessera/plugin/db";
import { nowSeconds } from "../wire/constants";
import { keyValid, type PublicJwk, thumbprint } from "./jwk";
import { readOrCreateKv, writeKv } from "./kv";

const KV_KEY = "federation:keys";

const StoredKeysSchema = Type.Array(
  Type.Object({
    kid: Type.String(),
    privateJwk: Type.Object({ kty: Type.Literal("OKP"), crv: Type.Literal("Ed25519"), x: Type.String(), d: Type.String() }),
    createdAt: Type.Integer(),
    notAfter: Type.Optional(Type.Integer()),
  }),
  { minItems: 1 },
);
const storedKeys = TypeCompiler.Compile(StoredKeysSchema);

type StoredKey = (typeof StoredKeysSchema)["static"][number];

export interface Signer {
  kid: string;
  key: CryptoKey;
}

interface LoadedKey extends Signer {
  stored: StoredKey;
  publicJwk: PublicJwk;
}

const generate = async (): Promise<StoredKey> => {
  const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const { x, d } = await exportJWK(privateKey);
  if (!x || !d) throw new TesseraError("ERR_INTERNAL", "The generated Ed25519 key has no x or d");
  const kid = await thumbprint({ kty: "OKP", crv: "Ed25519", x });
  return { kid, privateJwk: { kty: "OKP", crv: "Ed25519", x, d }, createdAt: Date.now() };
};

const load = async (stored: StoredKey): Promise<LoadedKey> => {
  const { kty, crv, x } = stored.privateJwk;
  const publicJwk: PublicJwk = { kty, crv, x, kid: stored.kid, alg: "EdDSA", use: "sig" };
  if (stored.notAfter !== undefined) publicJwk.notAfter = stored.notAfter;
  return { kid: stored.kid, key: await importJWK(stored.privateJwk, "EdDSA"), stored, publicJwk };
};

const parse = (text: string): StoredKey[] => {
  const value: unknown = JSON.parse(text);
  if (!storedKeys.Check(value)) throw new TesseraError("ERR_INTERNAL", `The kv entry "${KV_KEY}" is not a list of keys`);
  return value;
};

export class KeyStore {
  // Newest first; rotations are serialised so two admins can't retire each other's new key.
  private rotating: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly db: Database,
    private keys: LoadedKey[],
  ) {}

  /** Loads the keys, generating the first one on an instance's first start. */
  static async open(db: Database): Promise<KeyStore> {
    const text = await readOrCreateKv(db, KV_KEY, async () => JSON.stringify([await generate()]));
    return new KeyStore(db, await Promise.all(parse(text).map(load)));
  }

  current(): Signer {
    const [newest] = this.keys;
    if (!newest) throw new TesseraError("ERR_INTERNAL", "The federation key store is empty");
    return newest;
  }

  /**
   * The key that announces a rotation: the most recently retired one still valid, which peers have
   * pinned, or the current key when there is none.
   */
  handover(): Signer {
    const now = nowSeconds();
    return this.keys.slice(1).find((key) => keyValid(key.stored.notAfter, now)) ?? this.current();
  }

  /** Every key that still verifies, newest first, as published in the identity document. */
  publicJwks(): PublicJwk[] {
    const now = nowSeconds();
    return this.keys.filter((key) => keyValid(key.stored.notAfter, now)).map((key) => ({ ...key.publicJwk }));
  }

  /** A new signing key; the previous one verifies for `overlapMs` more. Keys already past notAfter are dropped. */
  rotate(overlapMs: number): Promise<{ kid: string; retired: { kid: string; notAfter: number } }> {
    const next = this.rotating.then(async () => {
      const previous = this.current();
      const now = nowSeconds();
      const notAfter = now + Math.ceil(overlapMs / 1000);
      const fresh = await generate();
      const kept = this.keys
        .map((key) => (key.kid === previous.kid ? { ...key.stored, notAfter } : key.stored))
        .filter((key) => keyValid(key.notAfter, now));
      const stored = [fresh, ...kept];
      await writeKv(this.db, KV_KEY, JSON.stringify(stored));
      this.keys = await Promise.all(stored.map(load));
      return { kid: fresh.kid, retired: { kid: previous.kid, notAfter } };
    });
    this.rotating = next.catch(() => undefined);
    return next;
  }
}
