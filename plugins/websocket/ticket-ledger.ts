// Single use for tickets: a ticket id is remembered until the ticket expires. In memory here; the
// interface lets a shared store (Redis) take over when several instances accept the same tickets.

export interface TicketLedger {
  /** True the first time `jti` is claimed; false ever after, until it expires (epoch ms). */
  claim(jti: string, expiresAt: number): boolean | Promise<boolean>;
}

const SWEEP_INTERVAL_MS = 10_000;

export class MemoryTicketLedger implements TicketLedger {
  private readonly used = new Map<string, number>();
  private nextSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  claim(jti: string, expiresAt: number): boolean {
    const now = this.now();
    // Swept on use rather than on a timer: the map only grows when tickets are redeemed.
    if (now >= this.nextSweep) {
      for (const [id, expiry] of this.used) if (expiry <= now) this.used.delete(id);
      this.nextSweep = now + SWEEP_INTERVAL_MS;
    }
    if (this.used.has(jti)) return false;
    this.used.set(jti, expiresAt);
    return true;
  }

  /** Ticket ids currently remembered; for tests and metrics. */
  get size(): number {
    return this.used.size;
  }
}
