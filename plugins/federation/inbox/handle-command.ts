// Commands a peer sends to this instance: spawn, status, kill and list agents. The peer must have been
// granted the command (and, to spawn, the agent type); it only ever sees agents it spawned.
import { notFound } from "../../../core/errors/tessera-error";
import { type AgentRecord, getAgent, listAgents } from "../agents/agent-store";
import { wireAgent } from "../agents/agent-view";
import type { Federation } from "../federation";
import { requireGrant } from "../peers/grants";
import type { PeerEntry } from "../peers/peer-cache";
import type { CommandBody } from "../wire/message";

const LIST_LIMIT = 100;

/** The agent if this peer spawned it; 404 otherwise, so ids of other peers' agents can't be probed. */
const ownAgent = async (fed: Federation, peerId: string, id: string): Promise<AgentRecord> => {
  const agent = await getAgent(fed.db, id);
  if (!agent || agent.peerId !== peerId || agent.runsOn !== null) throw notFound("No such agent", { path: id });
  return agent;
};

/** Grant checks run before anything else; a refusal here is a rejection, not a command result. */
export const checkCommandGrant = (peer: PeerEntry, body: CommandBody): void =>
  requireGrant(peer.peer.id, peer.peer.grants, body.name, body.name === "agent.spawn" ? body.args.agentType : undefined);

export const handleCommand = async (fed: Federation, peer: PeerEntry, body: CommandBody): Promise<unknown> => {
  const peerId = peer.peer.id;
  switch (body.name) {
    case "agent.spawn": {
      const { agent } = await fed.runner.spawn({ ...body.args, commandId: body.commandId, peerId, workspaceId: null });
      return { agentId: agent.id, status: agent.status };
    }
    case "agent.status":
      return wireAgent(await ownAgent(fed, peerId, body.args.agentId));
    case "agent.kill": {
      const agent = await ownAgent(fed, peerId, body.args.agentId);
      return wireAgent(await fed.runner.kill(agent.id));
    }
    case "agent.list": {
      const agents = await listAgents(fed.db, { peerId }, LIST_LIMIT);
      return { agents: agents.map((agent) => wireAgent(agent, { output: false })) };
    }
  }
};
