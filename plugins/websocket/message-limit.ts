// The per-user message rate. The verdict must come before any await, so it is taken from memory; with
// Redis, every allowed message is also counted on the shared limiter, and a user it refuses is refused
// here too until its retry time. Across instances the limit thus holds within one Redis round trip.
import { type Logger, MemoryRateLimiter, type RateDecision, type RateLimiter, type RateRule } from "tessera/plugin";

export class MessageLimit {
  private readonly local = new MemoryRateLimiter();
  /** Users the shared limiter refused, until when (epoch ms). */
  private readonly refused = new Map<string, number>();
  private sharedFailing = false;

  constructor(
    private readonly rule: RateRule,
    private readonly log: Logger,
    /** The limiter every instance shares; absent on a single instance. */
    private readonly shared?: RateLimiter,
  ) {}

  check(userId: string): RateDecision {
    const decision = this.local.consume(userId, this.rule);
    if (!decision.allowed || !this.shared) return decision;
    const until = this.refused.get(userId);
    if (until !== undefined) {
      const wait = until - Date.now();
      if (wait > 0) return { ...decision, allowed: false, remaining: 0, retryAfterMs: wait };
      this.refused.delete(userId);
    }
    this.count(this.shared, userId);
    return decision;
  }

  close(): void {
    void this.local.close();
    this.refused.clear();
  }

  private count(shared: RateLimiter, userId: string): void {
    Promise.resolve(shared.consume(`ws-message:${userId}`, this.rule)).then(
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
