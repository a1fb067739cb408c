// An agent as users see it (HTTP API, workspace events) and as peers see it (the wire record).
import type { WireAgent } from "../wire/message";
import type { AgentRecord } from "./agent-store";

export const agentView = (agent: AgentRecord) => ({
  id: agent.id,
  agentType: agent.agentType,
  status: agent.status,
  workspaceId: agent.workspaceId,
  /** The peer the agent runs on; null when it runs here. */
  runsOn: agent.runsOn,
  /** The peer that asked for this run here; null when a user of this instance did. */
  peerId: agent.peerId,
  /** Who asked: a user of this instance, or (peerId set) the peer's user its signed command named. */
  actingUser: agent.actorId === null ? null : { id: agent.actorId, email: agent.actorEmail, name: agent.actorName },
  commandId: agent.commandId,
  input: agent.input,
  timeoutMs: agent.timeoutMs,
  exitCode: agent.exitCode,
  output: agent.output,
  createdAt: agent.createdAt,
  startedAt: agent.startedAt,
  endedAt: agent.endedAt,
});

/** The contract's record: absent fields are left out, not null. */
export const wireAgent = (agent: AgentRecord, options: { output: boolean } = { output: true }): WireAgent => {
  const record: WireAgent = { id: agent.id, agentType: agent.agentType, status: agent.status };
  if (agent.commandId !== null) record.commandId = agent.commandId;
  if (agent.exitCode !== null) record.exitCode = agent.exitCode;
  if (options.output && agent.output !== null) record.output = agent.output;
  if (agent.startedAt !== null) record.startedAt = agent.startedAt;
  if (agent.endedAt !== null) record.endedAt = agent.endedAt;
  return record;
};
