// The hub's side of remote agents: spawn, status and kill on a peer, each kept as a mirror row (runsOn =
// the peer) that the peer's signed reports keep current, and that goes out on the workspace's stream.

import { Type } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { conflict, notFound } from "tessera/plugin";
import { and, eq, or } from "tessera/plugin/db";
import { type AgentRecord, advanceAgent, byId, deleteAgent, getAgent, insertAgent } from "../agents/agent-store";
import { agentView } from "../agents/agent-view";
import { AGENT_STATUSES, isTerminal } from "../agents/status";
import { fedError } from "../errors";
import type { Federation } from "../federation";
import { type ActingUser, actorColumns } from "../identity/acting-user";
import type { PeerEntry } from "../peers/peer-cache";
import type { CommandName } from "../wire/constants";
import { literals } from "../wire/literals";
import { type WireAgent, WireAgentSchema } from "../wire/message";
import { acrossTheHop, PeerRefusal } from "../wire/peer-refusal";
import { type CommandOptions, sendCommand } from "../wire/send-command";

export type RemoteDeps = Pick<Federation, "db" | "events" | "log" | "peers" | "self" | "keys" | "fetch" | "config">;

export interface RemoteSpawn {
  workspaceId: string;
  agentType: string;
  input?: unknown;
  timeoutMs?: number;
}

const spawnResult = TypeCompiler.Compile(
  Type.Object({ agentId: Type.String({ minLength: 1, maxLength: 128 }), status: literals(AGENT_STATUSES) }),
);
const wireResult = TypeCompiler.Compile(WireAgentSchema);

const unusable = (peerId: string, what: string) =>
  fedError("ERR_FED_PEER_UNAVAILABLE", 502, `Peer ${peerId} answered ${what} with a result of the wrong shape`);

/** An active peer, or why it can't be asked: 404 for no such peer, 409 for one not active. */
export const activePeer = async (deps: RemoteDeps, peerId: string): Promise<PeerEntry> => {
  const entry = await deps.peers.get(peerId);
  if (!entry) throw notFound("No such peer", { path: peerId });
  if (entry.peer.status !== "active") {
    throw fedError("ERR_FED_PEER", 409, `Peer ${peerId} is ${entry.peer.status}, not active`, {
      details: { status: entry.peer.status },
    });
  }
  return entry;
};

const publish = async (deps: RemoteDeps, mirror: AgentRecord) => {
  if (mirror.workspaceId) await deps.events.publish(mirror.workspaceId, "agent.updated", agentView(mirror));
};

/** Applies what the peer says about one of its agents to our mirror, if it moves the mirror forward. */
export const applyReport = async (deps: RemoteDeps, peerId: string, report: WireAgent): Promise<AgentRecord | null> => {
  const { agents } = deps.db.tables;
  const match =
    report.commandId === undefined
      ? eq(agents.remoteId, report.id)
      : or(eq(agents.commandId, report.commandId), eq(agents.remoteId, report.id));
  // Fields a report leaves out are kept as they were (a list entry carries no output).
  const updated = await advanceAgent(deps.db, and(eq(agents.runsOn, peerId), match), {
    status: report.status,
    remoteId: report.id,
    ...(report.exitCode === undefined ? {} : { exitCode: report.exitCode }),
    ...(report.output === undefined ? {} : { output: report.output }),
    ...(report.startedAt === undefined ? {} : { startedAt: report.startedAt }),
    ...(report.endedAt === undefined ? {} : { endedAt: report.endedAt }),
  });
  if (updated) await publish(deps, updated);
  return updated;
};

export const loseMirror = async (deps: RemoteDeps, mirror: AgentRecord): Promise<AgentRecord | null> => {
  const lost = await advanceAgent(deps.db, byId(deps.db, mirror.id), { status: "lost", endedAt: Date.now() });
  if (lost) await publish(deps, lost);
  return lost;
};

const command = async (
  deps: RemoteDeps,
  entry: PeerEntry,
  mirror: AgentRecord,
  name: CommandName,
  options?: CommandOptions,
): Promise<AgentRecord> => {
  if (mirror.remoteId === null) throw conflict("The peer has not confirmed this agent yet", { path: mirror.id });
  let result: unknown;
  try {
    result = await sendCommand(deps, entry, name, crypto.randomUUID(), { agentId: mirror.remoteId }, options);
  } catch (error) {
    throw acrossTheHop(entry.peer.id, error);
  }
  if (!wireResult.Check(result)) throw unusable(entry.peer.id, name);
  // Null when the answer moves nothing: a report that overtook it may already have, so re-read.
  return (await applyReport(deps, entry.peer.id, result)) ?? (await getAgent(deps.db, mirror.id)) ?? mirror;
};

export const spawnRemote = async (
  deps: RemoteDeps,
  peerId: string,
  request: RemoteSpawn,
  actor: ActingUser,
): Promise<AgentRecord> => {
  const entry = await activePeer(deps, peerId);
  const commandId = crypto.randomUUID();
  const mirror = await insertAgent(deps.db, {
    id: crypto.randomUUID(),
    peerId: null,
    runsOn: peerId,
    workspaceId: request.workspaceId,
    agentType: request.agentType,
    status: "queued",
    input: request.input ?? null,
    timeoutMs: request.timeoutMs ?? null,
    commandId,
    ...actorColumns(actor),
    createdAt: Date.now(),
  });
  const args = {
    agentType: request.agentType,
    input: request.input ?? null,
    ...(request.timeoutMs === undefined ? {} : { timeoutMs: request.timeoutMs }),
  };
  let result: unknown;
  try {
    result = await sendCommand(deps, entry, "agent.spawn", commandId, args, { actor });
  } catch (error) {
    // The peer said no: nothing runs there, so nothing is kept here.
    if (error instanceof PeerRefusal) {
      await deleteAgent(deps.db, mirror.id);
      throw error;
    }
    const lost = (await loseMirror(deps, mirror)) ?? mirror;
    throw acrossTheHop(peerId, error, { agent: agentView(lost) });
  }
  if (!spawnResult.Check(result)) throw unusable(peerId, "agent.spawn");
  const confirmed = await advanceAgent(deps.db, byId(deps.db, mirror.id), { status: result.status, remoteId: result.agentId });
  if (confirmed) await publish(deps, confirmed);
  return confirmed ?? (await mirrorOf(deps, peerId, mirror.id));
};

/** A mirror of an agent on this peer; 404 for any other id, so ids can't be probed through another peer. */
export const mirrorOf = async (deps: RemoteDeps, peerId: string, id: string): Promise<AgentRecord> => {
  const mirror = await getAgent(deps.db, id);
  if (!mirror || mirror.runsOn !== peerId) throw notFound("No such agent on this peer", { path: id });
  return mirror;
};

/** Asks the peer once about one of its agents and applies the answer. */
export const askStatus = (deps: RemoteDeps, entry: PeerEntry, mirror: AgentRecord): Promise<AgentRecord> =>
  command(deps, entry, mirror, "agent.status", { attempts: 1 });

/** The mirror, refreshed from the peer while the agent is unfinished; the stored one when the peer is silent. */
export const refreshRemote = async (deps: RemoteDeps, mirror: AgentRecord): Promise<AgentRecord> => {
  if (isTerminal(mirror.status) || mirror.remoteId === null || mirror.runsOn === null) return mirror;
  const entry = await deps.peers.get(mirror.runsOn);
  if (entry?.peer.status !== "active") return mirror;
  try {
    return await askStatus(deps, entry, mirror);
  } catch (error) {
    deps.log.debug("remote agent status unavailable; answering with the stored one", { agent: mirror.id, error });
    return mirror;
  }
};

export const killRemote = async (deps: RemoteDeps, mirror: AgentRecord, actor: ActingUser): Promise<AgentRecord> => {
  if (isTerminal(mirror.status) || mirror.runsOn === null) return mirror;
  const entry = await activePeer(deps, mirror.runsOn);
  return command(deps, entry, mirror, "agent.kill", { actor });
};
