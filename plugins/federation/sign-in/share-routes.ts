// POST/GET /workspaces/:id/shares and DELETE /workspaces/:id/shares/:peerId: which peers' users may
// sign in here as guests and use this workspace, and with which role (member or viewer).
import { Elysia, t } from "elysia";
import { JsonBody, NoBody, notFound, responses } from "tessera/plugin";
import type { Federation } from "../federation";
import { Share } from "../response-schemas";
import { listShares, shareWorkspace, unshareWorkspace } from "./shares";

const Id = t.String({ pattern: "^[\\w-]{1,64}$" });
const PeerId = t.String({ minLength: 1, maxLength: 128 });
const tags = ["workspaces", "federation"];

export const shareRoutes = (fed: Federation) =>
  new Elysia({ name: "federation-shares" })
    .post(
      "/workspaces/:id/shares",
      async ({ request, params, body, set }) => {
        await fed.auth.requireRole(request, params.id, "admin");
        const peer = await fed.peers.get(body.peerId);
        if (!peer || peer.peer.status === "disconnected") throw notFound("No such peer", { path: body.peerId });
        const share = await shareWorkspace(fed.db, params.id, body.peerId, body.role);
        set.status = 201;
        return share;
      },
      {
        params: t.Object({ id: Id }),
        ...JsonBody(
          t.Object(
            { peerId: PeerId, role: t.Union([t.Literal("member"), t.Literal("viewer")]) },
            { additionalProperties: false },
          ),
        ),
        detail: {
          summary: "Share the workspace with a peer: its users who sign in here as guests get this role",
          tags,
          responses: responses({ 201: Share }, 401, 403, 404, 409, 422),
        },
      },
    )
    .get(
      "/workspaces/:id/shares",
      async ({ request, params }) => {
        await fed.auth.requireRole(request, params.id, "viewer");
        return { shares: await listShares(fed.db, params.id) };
      },
      {
        params: t.Object({ id: Id }),
        detail: {
          summary: "The peers this workspace is shared with",
          tags,
          responses: responses({ 200: t.Object({ shares: t.Array(Share) }) }, 401, 403, 404),
        },
      },
    )
    .delete(
      "/workspaces/:id/shares/:peerId",
      async ({ request, params, set }) => {
        await fed.auth.requireRole(request, params.id, "admin");
        if (!(await unshareWorkspace(fed.db, params.id, params.peerId))) throw notFound("Not shared with that peer");
        set.status = 204;
      },
      {
        params: t.Object({ id: Id, peerId: PeerId }),
        ...NoBody(),
        detail: {
          summary: "Stop sharing with a peer; its guests lose the workspace at once",
          tags,
          responses: responses({ 204: { description: "No longer shared", body: null } }, 401, 403, 404),
        },
      },
    );
