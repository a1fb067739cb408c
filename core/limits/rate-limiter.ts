// Rate limiting by any key (user, IP, API key). GCRA: one stored timestamp per key, smooth refill.
// The in-memory limiter answers synchronously so hot paths (WebSocket messages) can check before any await.

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
