// GCRA in process memory for a single instance. `consume` is synchronous so a hot path (a WebSocket
// message) can check before any await. Memory is bounded: expired keys are swept, and past `maxKeys`
// the least recently used key is forgotten (which only ever errs towards allowing that key again).
import { gcraDecision, gcraParams, gcraStep } from "./gcra";
import type { RateDecision, RateLimiter, RateRule } from "./rate-limiter";

export interface MemoryRateLimiterOptions {
  /** Clock in milliseconds; injectable for tests. */
  now?: () => number;
  maxKeys?: number;
  sweepIntervalMs?: number;
}

export class MemoryRateLimiter implements RateLimiter {
  readonly synchronous = true;
  // Map order doubles as recency: once the map is half full, a consumed key is re-inserted at the end.
  private readonly tats = new Map<string, number>();
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
    const stored = this.tats.get(key);
    const { allowed, tat } = gcraStep(params, now, stored);
    if (allowed) this.remember(key, tat, stored !== undefined);
    return gcraDecision(params, now, allowed, tat);
  }

  /** Keys currently held; for tests and metrics. */
  get size(): number {
    return this.tats.size;
  }

  /** Forgets every key whose bucket is full again: such a key behaves exactly like an unseen one. */
  sweep(): void {
    const now = this.now();
    for (const [key, tat] of this.tats) if (tat <= now) this.tats.delete(key);
  }

  async ready(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.tats.clear();
  }

  // Re-inserting a known key keeps the order by recency, but a Map delete and set on every request
  // costs more than the rest of the step; the order only matters once eviction is near.
  private remember(key: string, tat: number, known: boolean): void {
    if (!known && this.tats.size >= this.maxKeys) this.forgetLeastRecent();
    else if (known && this.tats.size * 2 >= this.maxKeys) this.tats.delete(key);
    this.tats.set(key, tat);
  }

  // No sweep here: a flood of new keys would make every request scan the whole map.
  private forgetLeastRecent(): void {
    const oldest = this.tats.keys().next();
    if (!oldest.done) this.tats.delete(oldest.value);
  }
}
