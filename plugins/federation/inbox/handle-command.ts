// Commands a peer sends to this instance: spawn, status, kill and list agents. The peer must have been
// granted the command (and, to spawn, the agent type); it only ever sees agents it spawned.
import { isTesseraError, notFound } from "tessera/plugin";
import { type AgentRecord, getAgent, listAgents } from "../agents/agent-store";
import { wireAgent } from "../agents/agent-view";
import type { Federation } from "../federation";
import { requireAllowedActor } from "../identity/acting-user";
import { recordAudit } from "../identity/audit-log";
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

/** The peer's allow-list of users, after the grants; a refusal is audited, then rejected like an ungranted command. */
export const checkActingUser = async (fed: Federation, peer: PeerEntry, body: CommandBody): Promise<void> => {
  const peerId = peer.peer.id;
  try {
    requireAllowedActor(peerId, peer.peer.grants.users, body.name, body.actor);
  } catch (error) {
    const outcome = isTesseraError(error) ? error.code : "ERR_INTERNAL";
    const agentId = body.name === "agent.kill" ? body.args.agentId : null;
    await recordAudit(fed.db, {
      peerId,
      command: body.name,
      commandId: body.commandId,
      agentId,
      actor: body.actor ?? null,
      outcome,
    });
    throw error;
  }
};

export const handleCommand = async (fed: Federation, peer: PeerEntry, body: CommandBody): Promise<unknown> => {
  const peerId = peer.peer.id;
  const audit = (agentId: string) =>
    recordAudit(fed.db, {
      peerId,
      command: body.name,
      commandId: body.commandId,
      agentId,
      actor: body.actor ?? null,
      outcome: "ok",
    });
  switch (body.name) {
    case "agent.spawn": {
      const { agent, created } = await fed.runner.spawn({
        ...body.args,
        commandId: body.commandId,
        peerId,
        workspaceId: null,
        actor: body.actor,
      });
      // A retried spawn (same commandId) returns the first run and is not a second action.
      if (created) await audit(agent.id);
      return { agentId: agent.id, status: agent.status };
    }
    case "agent.status":
      return wireAgent(await ownAgent(fed, peerId, body.args.agentId));
    case "agent.kill": {
      const agent = await ownAgent(fed, peerId, body.args.agentId);
      const killed = await fed.runner.kill(agent.id);
      await audit(agent.id);
      return wireAgent(killed);
    }
    case "agent.list": {
      const agents = await listAgents(fed.db, { peerId }, LIST_LIMIT);
      return { agents: agents.map((agent) => wireAgent(agent, { output: false })) };
    }
  }
};
