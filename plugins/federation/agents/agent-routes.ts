// Agents on this instance for workspace members: spawn (idempotent with commandId), list, read and kill.
// Killing a row that mirrors an agent on a peer asks that peer.
import { Elysia, t } from "elysia";
import { JsonBody, NoBody, responses } from "tessera/plugin";
import type { Federation } from "../federation";
import { actingUser } from "../identity/acting-user";
import { killRemote, refreshRemote } from "../remote/remote-agents";
import { AgentList, AgentView } from "../response-schemas";
import { refuseGuestRelay, requireAgentRole, requireGuestGrant } from "./agent-access";
import { getAgent, listAgents } from "./agent-store";
import { agentView } from "./agent-view";

const tags = ["agents"];
const AgentParams = t.Object({ id: t.String({ minLength: 1, maxLength: 128 }) });

export const SpawnBody = {
  workspaceId: t.String({ minLength: 1, maxLength: 128 }),
  agentType: t.String({ minLength: 1, maxLength: 64 }),
  input: t.Optional(t.Unknown()),
  timeoutMs: t.Optional(t.Integer({ minimum: 1 })),
};

export const agentRoutes = (fed: Federation) => {
  // Also before a body is read: an anonymous caller learns nothing about the API's shape.
  const user = (request: Request) => fed.auth.requireUser(request);
  return new Elysia({ name: "federation-agents" })
    .onTransform(async ({ request }) => {
      await user(request);
    })
    .post(
      "/agents",
      async ({ request, body, set }) => {
        const { principal } = await fed.auth.requireRole(request, body.workspaceId, "member");
        await requireGuestGrant(fed.peers, principal.user, "agent.spawn", body.agentType);
        const { agent, created } = await fed.runner.spawn({ ...body, peerId: null, actor: actingUser(principal.user) });
        set.status = created ? 201 : 200;
        return agentView(agent);
      },
      {
        ...JsonBody(
          t.Object(
            { ...SpawnBody, commandId: t.Optional(t.String({ minLength: 1, maxLength: 128 })) },
            { additionalProperties: false },
          ),
          user,
        ),
        detail: {
          summary: "Run an agent of a configured type here; the same commandId returns the same agent",
          tags,
          responses: responses({ 200: AgentView, 201: AgentView }, 401, 403, 404, 409, 422, 429),
        },
      },
    )
    .get(
      "/agents",
      async ({ request, query }) => {
        const { principal } = await fed.auth.requireRole(request, query.workspaceId, "viewer");
        await requireGuestGrant(fed.peers, principal.user, "agent.list");
        return { agents: (await listAgents(fed.db, { workspaceId: query.workspaceId })).map(agentView) };
      },
      {
        query: t.Object({ workspaceId: t.String({ minLength: 1, maxLength: 128 }) }),
        detail: {
          summary: "A workspace's agents, here and on peers, newest first",
          tags,
          responses: responses({ 200: AgentList }, 401, 403, 404, 422),
        },
      },
    )
    .get(
      "/agents/:id",
      async ({ request, params }) => {
        const agent = await requireAgentRole(fed.auth, request, await getAgent(fed.db, params.id), "viewer", params.id);
        const { user } = await fed.auth.requireUser(request);
        await requireGuestGrant(fed.peers, user, "agent.status");
        // A guest sees a mirror as last reported: refreshing it would ask another peer on the guest's behalf.
        return agentView(user.guestOf === null ? await refreshRemote(fed, agent) : agent);
      },
      {
        params: AgentParams,
        detail: {
          summary: "One agent: status, exit code, output tail",
          tags,
          responses: responses({ 200: AgentView }, 401, 403, 404),
        },
      },
    )
    .post(
      "/agents/:id/kill",
      async ({ request, params }) => {
        const agent = await requireAgentRole(fed.auth, request, await getAgent(fed.db, params.id), "member", params.id);
        const { user } = await fed.auth.requireUser(request);
        await requireGuestGrant(fed.peers, user, "agent.kill");
        if (agent.runsOn === null) return agentView(await fed.runner.kill(agent.id));
        refuseGuestRelay(user);
        return agentView(await killRemote(fed, agent, actingUser(user)));
      },
      {
        params: AgentParams,
        ...NoBody(user),
        detail: {
          summary: "SIGTERM, then SIGKILL after the grace period; a finished agent is returned as is",
          tags,
          responses: responses({ 200: AgentView }, 401, 403, 404, 502),
        },
      },
    );
};
