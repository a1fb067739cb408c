// Open sockets per user on this instance, reserved before a socket opens so parallel upgrades can't overshoot.
export class UserConnections {
  private readonly counts = new Map<string, number>();

  constructor(private readonly max: number) {}

  reserve(userId: string): boolean {
    const count = this.counts.get(userId) ?? 0;
    if (count >= this.max) return false;
    this.counts.set(userId, count + 1);
    return true;
  }

  release(userId: string): void {
    const count = this.counts.get(userId) ?? 0;
    if (count <= 1) this.counts.delete(userId);
    else this.counts.set(userId, count - 1);
  }
}
