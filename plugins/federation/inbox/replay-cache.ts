// Replay protection: every accepted message's jti is written to federation_messages, whose primary key
// refuses a second one, and kept until the message could no longer verify (exp + clock skew), so it
// survives a restart. A bounded in-memory set answers repeats without touching the database.
import { lt } from "drizzle-orm";
import type { Database } from "../../../core/db/database";
import type { MessageType } from "../wire/constants";

export interface InboundRecord {
  jti: string;
  peerId: string;
  type: MessageType;
  commandId: string | null;
  /** Kept for audit: command arguments, not event payloads. */
  body: string | null;
  expiresAt: number;
}

const MAX_REMEMBERED = 10_000;

export class ReplayCache {
  private readonly remembered = new Map<string, number>();

  constructor(private readonly db: Database) {}

  /** True the first time a jti is seen; false for a replay. */
  async claim(record: InboundRecord): Promise<boolean> {
    const now = Date.now();
    const until = this.remembered.get(record.jti);
    if (until !== undefined && until > now) return false;
    const inserted = await this.db.orm
      .insert(this.db.tables.federationMessages)
      .values({ ...record, direction: "in", result: null, createdAt: now })
      .onConflictDoNothing()
      .returning({ jti: this.db.tables.federationMessages.jti });
    if (inserted.length === 0) return false;
    this.remember(record.jti, record.expiresAt, now);
    return true;
  }

  /** Forgets what can no longer verify: inbound jtis and finished outbox rows past their expiry. */
  async prune(): Promise<void> {
    const now = Date.now();
    for (const [jti, until] of this.remembered) if (until <= now) this.remembered.delete(jti);
    const { federationMessages } = this.db.tables;
    await this.db.orm.delete(federationMessages).where(lt(federationMessages.expiresAt, now));
  }

  private remember(jti: string, until: number, now: number) {
    if (this.remembered.size >= MAX_REMEMBERED) {
      for (const [known, expiry] of this.remembered) if (expiry <= now) this.remembered.delete(known);
      // Still full: drop the oldest; the database still refuses them.
      for (const known of this.remembered.keys()) {
        if (this.remembered.size < MAX_REMEMBERED) break;
        this.remembered.delete(known);
      }
    }
    this.remembered.set(jti, until);
  }
}
