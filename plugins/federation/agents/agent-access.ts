// Who may see or touch an agent: members of its workspace; and for runs a peer asked for (which
// belong to no workspace), this instance's administrators. Anyone else gets the same 404 as an id
// that doesn't exist.
import { isTesseraError, notFound } from "../../../core/errors/tessera-error";
import type { Auth } from "../../../core/identity/auth";
import type { Role } from "../../../core/identity/types";
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
