// Agents in the agents table: runs on this instance (runsOn null; instanceId names the process that runs
// it when several share the database) and a hub's mirrors of runs on a peer.
// Status changes are conditional updates, so reports that arrive out of order can't move an agent back.

import { TesseraError } from "tessera/plugin";
import {
  and,
  type Database,
  desc,
  eq,
  inArray,
  isNotNull,
  isNull,
  or,
  preparedPer,
  type SQL,
  sql,
  type Tables,
} from "tessera/plugin/db";
import { ACTIVE_STATUSES, AGENT_STATUSES, type AgentStatus, advances, isAgentStatus } from "./status";

type Row = Tables["agents"]["$inferSelect"];

export interface AgentRecord extends Omit<Row, "status" | "input"> {
  status: AgentStatus;
  input: unknown;
}

type ActorFields = "actorId" | "actorEmail" | "actorName";

export type NewAgent = Omit<
  AgentRecord,
  | "output"
  | "exitCode"
  | "pid"
  | "pidStart"
  | "startedAt"
  | "endedAt"
  | "remoteId"
  | "instanceId"
  | "killRequestedAt"
  | ActorFields
> &
  Partial<Pick<AgentRecord, "remoteId" | "instanceId" | ActorFields>>;

export type AgentChanges = Partial<
  Pick<AgentRecord, "output" | "exitCode" | "pid" | "pidStart" | "startedAt" | "endedAt" | "remoteId">
> & {
  status: AgentStatus;
};

const toRecord = (row: Row): AgentRecord => {
  if (!isAgentStatus(row.status)) throw new TesseraError("ERR_INTERNAL", `agents row ${row.id} has status "${row.status}"`);
  return { ...row, status: row.status, input: row.input === null ? null : JSON.parse(row.input) };
};

export const insertAgent = async (db: Database, agent: NewAgent): Promise<AgentRecord> => {
  const [row] = await db.orm
    .insert(db.tables.agents)
    .values({ ...agent, input: agent.input === null || agent.input === undefined ? null : JSON.stringify(agent.input) })
    .returning();
  if (!row) throw new TesseraError("ERR_INTERNAL", "Inserting an agent returned no row");
  return toRecord(row);
};

// Status and kill, from members and peers alike, start here.
const agentById = preparedPer((db: Database) =>
  db.orm
    .select()
    .from(db.tables.agents)
    .where(eq(db.tables.agents.id, sql.placeholder("id")))
    .prepare("tessera_agent_by_id"),
);

export const getAgent = async (db: Database, id: string): Promise<AgentRecord | null> => {
  const [row] = await agentById(db).execute({ id });
  return row ? toRecord(row) : null;
};

/** Applies the change if the status may move that way; null when it may not (or there is no such agent). */
export const advanceAgent = async (db: Database, where: SQL | undefined, changes: AgentChanges): Promise<AgentRecord | null> => {
  const { agents } = db.tables;
  const from = AGENT_STATUSES.filter((current) => advances(current, changes.status));
  const [row] = await db.orm
    .update(agents)
    .set(changes)
    .where(and(where, inArray(agents.status, from)))
    .returning();
  return row ? toRecord(row) : null;
};

export const byId = (db: Database, id: string) => eq(db.tables.agents.id, id);

/** A run here with this commandId: a peer's (peerId) or a workspace member's (peerId null). */
export const findByCommand = async (
  db: Database,
  key: { peerId: string | null; workspaceId: string | null; commandId: string },
): Promise<AgentRecord | null> => {
  const { agents } = db.tables;
  const [row] = await db.orm
    .select()
    .from(agents)
    .where(
      and(
        isNull(agents.runsOn),
        eq(agents.commandId, key.commandId),
        key.peerId === null ? isNull(agents.peerId) : eq(agents.peerId, key.peerId),
        key.workspaceId === null ? isNull(agents.workspaceId) : eq(agents.workspaceId, key.workspaceId),
      ),
    );
  return row ? toRecord(row) : null;
};

export interface AgentFilter {
  /** Runs here that this peer asked for. */
  peerId?: string;
  /** Mirrors of runs on this peer. */
  runsOn?: string;
  workspaceId?: string;
}

export const listAgents = async (db: Database, filter: AgentFilter, limit = 100): Promise<AgentRecord[]> => {
  const { agents } = db.tables;
  const rows = await db.orm
    .select()
    .from(agents)
    .where(
      and(
        filter.peerId === undefined ? undefined : and(eq(agents.peerId, filter.peerId), isNull(agents.runsOn)),
        filter.runsOn === undefined ? undefined : eq(agents.runsOn, filter.runsOn),
        filter.workspaceId === undefined ? undefined : eq(agents.workspaceId, filter.workspaceId),
      ),
    )
    .orderBy(desc(agents.createdAt))
    .limit(limit);
  return rows.map(toRecord);
};

/** Unfinished mirrors of runs on peers (all peers, or one). */
export const activeMirrors = async (db: Database, runsOn?: string): Promise<AgentRecord[]> => {
  const { agents } = db.tables;
  const rows = await db.orm
    .select()
    .from(agents)
    .where(
      and(
        runsOn === undefined ? isNotNull(agents.runsOn) : eq(agents.runsOn, runsOn),
        inArray(agents.status, [...ACTIVE_STATUSES]),
      ),
    );
  return rows.map(toRecord);
};

// Runs this instance left unfinished when its previous process ended. Runs recorded before agents named
// their instance count too, as every instance's did then.
const interruptedWhere = (db: Database, instanceId: string) => {
  const { agents } = db.tables;
  return and(
    isNull(agents.runsOn),
    or(eq(agents.instanceId, instanceId), isNull(agents.instanceId)),
    inArray(agents.status, [...ACTIVE_STATUSES]),
  );
};

/** Runs this instance's previous process left unfinished, whose processes may still be running. */
export const interruptedRuns = async (db: Database, instanceId: string): Promise<AgentRecord[]> => {
  const rows = await db.orm.select().from(db.tables.agents).where(interruptedWhere(db, instanceId));
  return rows.map(toRecord);
};

/**
 * Marks the runs this instance's previous process left unfinished lost: no process here can finish
 * them; a report from a process still running one replaces `lost`.
 */
export const loseInterrupted = async (db: Database, instanceId: string): Promise<AgentRecord[]> => {
  const rows = await db.orm
    .update(db.tables.agents)
    .set({ status: "lost", endedAt: Date.now() })
    .where(interruptedWhere(db, instanceId))
    .returning();
  return rows.map(toRecord);
};

/** Asks the instance running this agent to end it (see killsRequested); false when it is over already. */
export const requestKill = async (db: Database, id: string): Promise<boolean> => {
  const { agents } = db.tables;
  const rows = await db.orm
    .update(agents)
    .set({ killRequestedAt: Date.now() })
    .where(and(eq(agents.id, id), inArray(agents.status, [...ACTIVE_STATUSES])))
    .returning({ id: agents.id });
  return rows.length > 0;
};

/** This instance's unfinished runs that another instance was asked to kill. */
export const killsRequested = async (db: Database, instanceId: string): Promise<string[]> => {
  const { agents } = db.tables;
  const rows = await db.orm
    .select({ id: agents.id })
    .from(agents)
    .where(
      and(
        eq(agents.instanceId, instanceId),
        isNotNull(agents.killRequestedAt),
        isNull(agents.runsOn),
        inArray(agents.status, [...ACTIVE_STATUSES]),
      ),
    );
  return rows.map((row) => row.id);
};

export const deleteAgent = async (db: Database, id: string): Promise<void> => {
  await db.orm.delete(db.tables.agents).where(eq(db.tables.agents.id, id));
};
