// GCRA in process memory for a single instance. `consume` is synchronous so a hot path (a WebSocket
// message) can check before any await. Memory is bounded: keys are bounded in length, expired keys are
// swept, and past `maxKeys` in a bucket its least recently used key is forgotten (which only ever errs
// towards allowing that key again). Each bucket (`ws-connect`, `api-key`, …) has its own `maxKeys`, so
// a flood of forged addresses evicts only other addresses, never an API key's or a user's state.
import { gcraDecision, gcraParams, gcraStep } from "./gcra";
import { boundedKey, bucketOf, type RateDecision, type RateLimiter, type RateRule } from "./rate-limiter";

export interface MemoryRateLimiterOptions {
  /** Clock in milliseconds; injectable for tests. */
  now?: () => number;
  /** Keys held per bucket. */
  maxKeys?: number;
  sweepIntervalMs?: number;
}

// Bucket names come from code, so a handful exist; past this many the rest share one, so that keys
// whose prefix a client controls can't open unbounded buckets.
const MAX_BUCKETS = 64;
const OVERFLOW = "\0overflow";

export class MemoryRateLimiter implements RateLimiter {
  readonly synchronous = true;
  // Map order doubles as recency: once a bucket is half full, a consumed key is re-inserted at the end.
  private readonly buckets = new Map<string, Map<string, number>>();
  private readonly now: () => number;
  private readonly maxKeys: number;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(options: MemoryRateLimiterOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxKeys = options.maxKeys ?? 100_000;
    this.timer = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 60_000);
    // The sweep is housekeeping; it must not keep the process alive.
    this.timer.unref();
  }

  consume(key: string, rule: RateRule, cost = 1): RateDecision {
    const params = gcraParams(rule, cost);
    const now = this.now();
    const stored = boundedKey(key);
    const tats = this.bucketFor(stored);
    const tat = tats.get(stored);
    const step = gcraStep(params, now, tat);
    if (step.allowed) this.remember(tats, stored, step.tat, tat !== undefined);
    return gcraDecision(params, now, step.allowed, step.tat);
  }

  /** Keys currently held, over all buckets; for tests and metrics. */
  get size(): number {
    let size = 0;
    for (const tats of this.buckets.values()) size += tats.size;
    return size;
  }

  /** The keys as stored (long ones as digests); for tests. */
  keys(): string[] {
    return [...this.buckets.values()].flatMap((tats) => [...tats.keys()]);
  }

  /** Forgets every key whose bucket is full again: such a key behaves exactly like an unseen one. */
  sweep(): void {
    const now = this.now();
    for (const [name, tats] of this.buckets) {
      for (const [key, tat] of tats) if (tat <= now) tats.delete(key);
      if (tats.size === 0) this.buckets.delete(name);
    }
  }

  async ready(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.buckets.clear();
  }

  private bucketFor(key: string): Map<string, number> {
    const name = bucketOf(key);
    const known = this.buckets.get(name);
    if (known) return known;
    const open = this.buckets.size < MAX_BUCKETS ? name : OVERFLOW;
    const tats = this.buckets.get(open) ?? new Map<string, number>();
    this.buckets.set(open, tats);
    return tats;
  }

  // Re-inserting a known key keeps the order by recency, but a Map delete and set on every request
  // costs more than the rest of the step; the order only matters once eviction is near.
  private remember(tats: Map<string, number>, key: string, tat: number, known: boolean): void {
    if (!known && tats.size >= this.maxKeys) forgetLeastRecent(tats);
    else if (known && tats.size * 2 >= this.maxKeys) tats.delete(key);
    tats.set(key, tat);
  }
}

// No sweep here: a flood of new keys would make every request scan the whole map.
const forgetLeastRecent = (tats: Map<string, number>): void => {
  const oldest = tats.keys().next();
  if (!oldest.done) tats.delete(oldest.value);
};
