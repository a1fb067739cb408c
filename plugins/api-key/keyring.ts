// API keys: generation, hashing, and the constant-time match of a presented key against every
// configured hash. Only SHA-256 digests are held in memory; the keys themselves never are.
import { timingSafeEqual } from "node:crypto";

/** A recognisable prefix, so secret scanners and the log redactor spot a leaked key. */
export const API_KEY_PREFIX = "tsk_";
/** Shorter keys are refused outright. Generated keys are 47 characters: the prefix and 256 random bits. */
export const MIN_KEY_LENGTH = 32;
/** Longer values are not keys; refusing them early bounds the hashing an attacker can ask for. */
export const MAX_KEY_LENGTH = 512;

export interface StoredKey {
  name: string;
  scopes: ReadonlySet<string>;
  /** The workspaces the key is bound to; null when it reaches every one. */
  workspaces: readonly string[] | null;
  /** Epoch ms after which the key is refused; null when it never expires. */
  notAfter: number | null;
  digest: Buffer;
  /** Epoch ms of the last admitted request; in memory only, so a request costs no database write. */
  lastUsedAt: number | null;
}

export const generateApiKey = (): string =>
  API_KEY_PREFIX + Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");

// Bun's one-shot SHA-256, on every keyed request: a node:crypto Hash per request, or even one reused
// Bun.CryptoHasher, costs several times as much.
const digestOf = (key: string): Uint8Array => Bun.SHA256.hash(key) as Uint8Array;

/** The form kept in config: `sha256:<64 lower-case hex>`. */
export const hashApiKey = (key: string): string => `sha256:${Buffer.from(digestOf(key)).toString("hex")}`;

export const storedKey = (
  name: string,
  hash: string,
  scopes: readonly string[],
  notAfter: number | null,
  workspaces: readonly string[] | null = null,
): StoredKey => ({
  name,
  scopes: new Set(scopes),
  workspaces,
  notAfter,
  digest: Buffer.from(hash.slice("sha256:".length), "hex"),
  lastUsedAt: null,
});

/**
 * The configured key whose digest equals the presented key's. Every digest is compared, with no
 * early exit, so the time taken says nothing about which key (if any) was close.
 */
export const matchKey = (keys: readonly StoredKey[], presented: string): StoredKey | undefined => {
  const digest = digestOf(presented);
  let found: StoredKey | undefined;
  for (const key of keys) if (timingSafeEqual(key.digest, digest)) found = key;
  return found;
};
