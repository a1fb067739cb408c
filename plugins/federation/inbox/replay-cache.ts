// Replay protection: every accepted message's jti is written to federation_messages, whose primary key
// refuses a second one, and kept until the message could no longer verify (exp + clock skew), so it
// survives a restart. A bounded in-memory set answers repeats without touching the database.
import { type Database, lt, preparedPer, sql } from "tessera/plugin/db";
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

// Every accepted message runs this insert, so it is built and prepared once per database.
const insertInbound = preparedPer((db: Database) => {
  const { federationMessages } = db.tables;
  return db.orm
    .insert(federationMessages)
    .values({
      jti: sql.placeholder("jti"),
      peerId: sql.placeholder("peerId"),
      type: sql.placeholder("type"),
      direction: "in",
      commandId: sql.placeholder("commandId"),
      body: sql.placeholder("body"),
      result: null,
      createdAt: sql.placeholder("createdAt"),
      expiresAt: sql.placeholder("expiresAt"),
    })
    .onConflictDoNothing()
    .returning({ jti: federationMessages.jti })
    .prepare("tessera_fed_claim_jti");
});

export class ReplayCache {
  private readonly remembered = new Map<string, number>();

  constructor(private readonly db: Database) {}

  /** True the first time a jti is seen; false for a replay. */
  async claim(record: InboundRecord): Promise<boolean> {
    const now = Date.now();
    const until = this.remembered.get(record.jti);
    if (until !== undefined && until > now) return false;
    const inserted = await insertInbound(this.db).execute({ ...record, createdAt: now });
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

  // Entries are kept in arrival order, which is close to expiry order (lifetimes are bounded), so only
  // the oldest are looked at: a full set costs one deletion per insertion, not a scan.
  private remember(jti: string, until: number, now: number) {
    for (const [known, expiry] of this.remembered) {
      if (this.remembered.size < MAX_REMEMBERED && expiry > now) break;
      // Expired, or the oldest of a full set: the database still refuses it.
      this.remembered.delete(known);
    }
    this.remembered.set(jti, until);
  }
}
