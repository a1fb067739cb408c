// Who may see or touch an agent: members of its workspace; and for runs a peer asked for (which
// belong to no workspace), this instance's administrators. Anyone else gets the same 404 as an id
// that doesn't exist. A peer's guest acts within both its workspace role and its peer's grants here,
// and never through this instance on another peer.
import { isTesseraError, notFound } from "tessera/plugin";
import type { Auth, Role, User } from "tessera/plugin/identity";
import { fedError } from "../errors";
import { requireGrant } from "../peers/grants";
import type { PeerCache } from "../peers/peer-cache";
import type { CommandName } from "../wire/constants";
import type { AgentRecord } from "./agent-store";

const peerRunForAdmin = async (auth: Auth, request: Request, agent: AgentRecord, id: string) => {
  const principal = await auth.requireUser(request);
  if (agent.peerId === null || agent.runsOn !== null || !principal.isAdmin) throw notFound("No such agent", { path: id });
  return agent;
};

export const requireAgentRole = async (auth: Auth, request: Request, agent: AgentRecord | null, role: Role, id: string) => {
  if (!agent) throw notFound("No such agent", { path: id });
  if (agent.workspaceId === null) return peerRunForAdmin(auth, request, agent, id);
  try {
    await auth.requireRole(request, agent.workspaceId, role);
  } catch (error) {
    if (isTesseraError(error) && error.status === 404) throw notFound("No such agent", { path: id });
    throw error;
  }
  return agent;
};

/**
 * A guest may do here what its peer was granted here, no more: the command (and, to spawn, the agent
 * type) must be in the peer's grants, whatever role a share gave it. Users of this instance pass.
 */
export const requireGuestGrant = async (
  peers: PeerCache,
  user: Pick<User, "guestOf">,
  command: CommandName,
  agentType?: string,
): Promise<void> => {
  if (user.guestOf === null) return;
  const entry = await peers.get(user.guestOf);
  if (entry?.peer.status !== "active") {
    throw fedError("ERR_FED_NOT_GRANTED", 403, "Guests of a peer that is not active here may not use agents");
  }
  requireGrant(entry.peer.id, entry.peer.grants, command, agentType);
};

/** A guest reaching another peer through this instance would borrow this instance's standing there. */
export const refuseGuestRelay = (user: Pick<User, "guestOf">): void => {
  if (user.guestOf !== null) {
    throw fedError("ERR_FED_GUEST_RELAY", 403, "Guests from a peer can't reach other peers through this instance");
  }
};
