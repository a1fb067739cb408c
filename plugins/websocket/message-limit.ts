// The per-user message rate. The verdict must come before any await, so it is taken from memory; with
// Redis, every allowed message is also counted on the shared limiter, and a user it refuses is refused
// here too until its retry time. Across instances the limit thus holds within one Redis round trip.
// The rule comes with each check, so a reloaded rate applies to the next message, counted on from the
// user's state under the old one.
import { type Logger, MemoryRateLimiter, type RateDecision, type RateLimiter, type RateRule } from "tessera/plugin";

export class MessageLimit {
  private readonly local = new MemoryRateLimiter();
  /** Users the shared limiter refused, until when (epoch ms). */
  private readonly refused = new Map<string, number>();
  private sharedFailing = false;

  constructor(
    private readonly log: Logger,
    /** The limiter every instance shares; absent on a single instance. */
    private readonly shared?: RateLimiter,
  ) {}

  check(userId: string, rule: RateRule): RateDecision {
    const decision = this.local.consume(userId, rule);
    if (!decision.allowed || !this.shared) return decision;
    const until = this.refused.get(userId);
    if (until !== undefined) {
      const wait = until - Date.now();
      if (wait > 0) return { ...decision, allowed: false, remaining: 0, retryAfterMs: wait };
      this.refused.delete(userId);
    }
    this.count(this.shared, userId, rule);
    return decision;
  }

  close(): void {
    void this.local.close();
    this.refused.clear();
  }

  private count(shared: RateLimiter, userId: string, rule: RateRule): void {
    Promise.resolve(shared.consume(`ws-message:${userId}`, rule)).then(
      (decision) => {
        this.sharedFailing = false;
        if (!decision.allowed) this.refused.set(userId, Date.now() + decision.retryAfterMs);
      },
      (error: unknown) => {
        // The local limit still applies; say so once per outage, not once per message.
        if (!this.sharedFailing)
          this.log.warn("the shared WebSocket message limit is unavailable; limiting per instance", { error });
        this.sharedFailing = true;
      },
    );
  }
}
