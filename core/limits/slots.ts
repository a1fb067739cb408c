// Concurrency limits by key (a user's open WebSockets): a holder takes one of `max` slots and gives it
// back. In memory for one instance; RedisSlots when the count must hold across instances.

export interface Slots {
  /** Takes a slot under `key` for `holder` (unique per holder); false when all `max` are taken. */
  acquire(key: string, max: number, holder: string): boolean | Promise<boolean>;
  release(key: string, holder: string): void;
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

export class MemorySlots implements Slots {
  private readonly counts = new Map<string, number>();

  acquire(key: string, max: number): boolean {
    const count = this.counts.get(key) ?? 0;
    if (count >= max) return false;
    this.counts.set(key, count + 1);
    return true;
  }

  release(key: string): void {
    const count = this.counts.get(key) ?? 0;
    if (count <= 1) this.counts.delete(key);
    else this.counts.set(key, count - 1);
  }

  async ready(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.counts.clear();
  }
}
