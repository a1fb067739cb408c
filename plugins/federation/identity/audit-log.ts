// The federation audit log: which peer's user spawned or killed what here, and which commands were
// refused because their user is not on the peer's allow-list. Read by instance administrators.
import { and, type Database, desc, eq, lt } from "tessera/plugin/db";
import type { ActingUser } from "./acting-user";

export interface AuditEntry {
  peerId: string;
  command: string;
  commandId: string | null;
  agentId: string | null;
  actor: ActingUser | null;
  /** "ok", or the code of the refusal. */
  outcome: string;
}

export const recordAudit = async (db: Database, entry: AuditEntry): Promise<void> => {
  await db.orm.insert(db.tables.federationAudit).values({
    peerId: entry.peerId,
    command: entry.command,
    commandId: entry.commandId,
    agentId: entry.agentId,
    actorId: entry.actor?.id ?? null,
    actorEmail: entry.actor?.email ?? null,
    actorName: entry.actor?.name ?? null,
    outcome: entry.outcome,
    createdAt: Date.now(),
  });
};

/** A peer's entries, newest first; `before` (an entry id) pages back. */
export const listAudit = async (db: Database, peerId: string, limit: number, before?: number) => {
  const { federationAudit: audit } = db.tables;
  const rows = await db.orm
    .select()
    .from(audit)
    .where(and(eq(audit.peerId, peerId), before === undefined ? undefined : lt(audit.id, before)))
    .orderBy(desc(audit.id))
    .limit(limit);
  return rows.map((row) => ({
    id: row.id,
    command: row.command,
    commandId: row.commandId,
    agentId: row.agentId,
    actingUser: row.actorId === null ? null : { id: row.actorId, email: row.actorEmail, name: row.actorName },
    outcome: row.outcome,
    at: row.createdAt,
  }));
};
