// Single-use markers (WebSocket ticket ids and the like): a key is claimed once and refused until it
// expires. In memory for one instance; RedisSingleUse when several instances must refuse the same replay.

export interface SingleUse {
  /** True the first time `key` is claimed; false ever after, until `expiresAt` (epoch ms). */
  claim(key: string, expiresAt: number): boolean | Promise<boolean>;
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

const SWEEP_INTERVAL_MS = 10_000;

export class MemorySingleUse implements SingleUse {
  private readonly used = new Map<string, number>();
  private nextSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  claim(key: string, expiresAt: number): boolean {
    const now = this.now();
    // Swept on use rather than on a timer: the map only grows when keys are claimed.
    if (now >= this.nextSweep) {
      for (const [id, expiry] of this.used) if (expiry <= now) this.used.delete(id);
      this.nextSweep = now + SWEEP_INTERVAL_MS;
    }
    const until = this.used.get(key);
    if (until !== undefined && until > now) return false;
    this.used.set(key, expiresAt);
    return true;
  }

  /** Keys currently remembered; for tests. */
  get size(): number {
    return this.used.size;
  }

  async ready(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.used.clear();
  }
}
