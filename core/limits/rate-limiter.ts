// Rate limiting by any key (user, IP, API key). GCRA: one stored timestamp per key, smooth refill.
// The in-memory limiter answers synchronously so hot paths (WebSocket messages) can check before any await.
// A key reads `<bucket>:<id>` (`ws-connect:203.0.113.9`, `api-key:ci`): the bucket is the part before the
// first colon, and each bucket has its own capacity, so a flood of one kind of key can't evict another's.
import { createHash } from "node:crypto";

export interface RateRule {
  /** Requests allowed per window at a steady rate. */
  limit: number;
  windowMs: number;
  /** Extra requests allowed in a burst above the steady rate; defaults to `limit`. */
  burst?: number;
}

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Milliseconds until the next request would be allowed (0 when allowed). */
  retryAfterMs: number;
  /** Milliseconds until the bucket is full again. */
  resetMs: number;
}

export interface RateLimiter {
  /** True when consume() always answers at once (in memory), so a caller can register a hook that is never awaited. */
  readonly synchronous: boolean;
  consume(key: string, rule: RateRule, cost?: number): RateDecision | Promise<RateDecision>;
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

/** The longest key a limiter stores as given; a longer one is stored as its bucket and a digest. */
export const MAX_KEY_LENGTH = 200;
// A bucket name is chosen by code, not by clients; anything longer is no bucket name.
const MAX_BUCKET_LENGTH = 64;

/** The bucket a key belongs to: the part before its first colon, or "" when there is none. */
export const bucketOf = (key: string): string => {
  const colon = key.indexOf(":");
  return colon > 0 && colon <= MAX_BUCKET_LENGTH ? key.slice(0, colon) : "";
};

/** The key as stored: unchanged up to MAX_KEY_LENGTH, else `<bucket>:#<sha256>`, so a client's long id costs a fixed size. */
export const boundedKey = (key: string): string =>
  key.length <= MAX_KEY_LENGTH ? key : `${bucketOf(key)}:#${createHash("sha256").update(key).digest("base64url")}`;
