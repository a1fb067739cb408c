// The hub's API for agents on a peer: spawn into a workspace (members), list, read and kill.
import { Elysia, t } from "elysia";
import { JsonBody, NoBody, responses } from "tessera/plugin";
import { refuseGuestRelay, requireAgentRole } from "../agents/agent-access";
import { SpawnBody } from "../agents/agent-routes";
import { type AgentRecord, getAgent, listAgents } from "../agents/agent-store";
import { agentView } from "../agents/agent-view";
import type { Federation } from "../federation";
import { actingUser } from "../identity/acting-user";
import { AgentList, AgentView } from "../response-schemas";
import { killRemote, refreshRemote, spawnRemote } from "./remote-agents";

const tags = ["federation"];
const PeerParams = t.Object({ id: t.String({ minLength: 1, maxLength: 128 }) });
const AgentParams = t.Object({
  id: t.String({ minLength: 1, maxLength: 128 }),
  agentId: t.String({ minLength: 1, maxLength: 128 }),
});

/** A mirror on this peer in a workspace the caller belongs to; anything else is 404. */
const mirrorFor = async (fed: Federation, request: Request, peerId: string, agentId: string, role: "viewer" | "member") => {
  const agent = await getAgent(fed.db, agentId);
  const onPeer: AgentRecord | null = agent?.runsOn === peerId ? agent : null;
  return requireAgentRole(fed.auth, request, onPeer, role, agentId);
};

export const remoteRoutes = (fed: Federation) => {
  // Also before a body is read: an anonymous caller learns nothing about the API's shape, and a
  // peer's guest is refused before anything reaches another peer on its behalf.
  const user = async (request: Request) => {
    const principal = await fed.auth.requireUser(request);
    refuseGuestRelay(principal.user);
    return principal;
  };
  return new Elysia({ name: "federation-remote-agents" })
    .onTransform(async ({ request }) => {
      await user(request);
    })
    .post(
      "/federation/peers/:id/agents",
      async ({ request, params, body, set }) => {
        const { principal } = await fed.auth.requireRole(request, body.workspaceId, "member");
        const agent = await spawnRemote(fed, params.id, body, actingUser(principal.user));
        set.status = 201;
        return agentView(agent);
      },
      {
        params: PeerParams,
        ...JsonBody(t.Object(SpawnBody, { additionalProperties: false }), user),
        detail: {
          summary: "Spawn an agent on a peer, into a workspace; its reports reach the workspace's stream",
          tags,
          responses: responses({ 201: AgentView }, 401, 403, 404, 409, 422, 502),
        },
      },
    )
    .get(
      "/federation/peers/:id/agents",
      async ({ request, params, query }) => {
        await fed.auth.requireRole(request, query.workspaceId, "viewer");
        return { agents: (await listAgents(fed.db, { runsOn: params.id, workspaceId: query.workspaceId })).map(agentView) };
      },
      {
        params: PeerParams,
        query: t.Object({ workspaceId: t.String({ minLength: 1, maxLength: 128 }) }),
        detail: {
          summary: "A workspace's agents on this peer, newest first",
          tags,
          responses: responses({ 200: AgentList }, 401, 403, 404, 422),
        },
      },
    )
    .get(
      "/federation/peers/:id/agents/:agentId",
      async ({ request, params }) => {
        const mirror = await mirrorFor(fed, request, params.id, params.agentId, "viewer");
        return agentView(await refreshRemote(fed, mirror));
      },
      {
        params: AgentParams,
        detail: {
          summary: "An agent on a peer: status and output tail (asked of the peer while it runs)",
          tags,
          responses: responses({ 200: AgentView }, 401, 403, 404, 502),
        },
      },
    )
    .post(
      "/federation/peers/:id/agents/:agentId/kill",
      async ({ request, params }) => {
        const mirror = await mirrorFor(fed, request, params.id, params.agentId, "member");
        const { user } = await fed.auth.requireUser(request);
        return agentView(await killRemote(fed, mirror, actingUser(user)));
      },
      {
        params: AgentParams,
        ...NoBody(user),
        detail: { summary: "Kill an agent on a peer", tags, responses: responses({ 200: AgentView }, 401, 403, 404, 502) },
      },
    );
};
