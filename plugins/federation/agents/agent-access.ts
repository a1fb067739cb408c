// Who may see or touch an agent: members of its workspace. Anyone else, and agents that belong to no
// workspace (runs a peer asked for), get the same 404 as an id that doesn't exist.
import { isTesseraError, notFound } from "../../../core/errors/tessera-error";
import type { Auth } from "../../../core/identity/auth";
import type { Role } from "../../../core/identity/types";
import type { AgentRecord } from "./agent-store";

export const requireAgentRole = async (auth: Auth, request: Request, agent: AgentRecord | null, role: Role, id: string) => {
  if (!agent || agent.workspaceId === null) throw notFound("No such agent", { path: id });
  try {
    await auth.requireRole(request, agent.workspaceId, role);
  } catch (error) {
    if (isTesseraError(error) && error.status === 404) throw notFound("No such agent", { path: id });
    throw error;
  }
  return agent;
};
