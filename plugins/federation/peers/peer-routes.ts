// Peer lifecycle for instance administrators: list, add by URL, accept, suspend, disconnect, grants.
import { Elysia, t } from "elysia";
import { JsonBody, NoBody, notFound, OptionalBody, responses } from "tessera/plugin";
import type { Federation } from "../federation";
import { listAudit } from "../identity/audit-log";
import { AuditEntries, PeerChange, PeerView } from "../response-schemas";
import { addPeer } from "./add-peer";
import { GrantsSchema } from "./grants";
import { acceptPeer, disconnectPeer, setGrants, suspendPeer } from "./lifecycle";
import { findPeer, listPeers, type Peer } from "./peer-store";

/** Keys are shown by kid and expiry; the full JWKs are in the peer's own identity document. */
export const peerView = (peer: Peer) => ({
  id: peer.id,
  url: peer.url,
  name: peer.name,
  status: peer.status,
  grants: peer.grants,
  keys: peer.keys.map(({ kid, notAfter }) => (notAfter === undefined ? { kid } : { kid, notAfter })),
  ...(peer.returning ? { returning: peer.returning } : {}),
  createdAt: peer.createdAt,
  updatedAt: peer.updatedAt,
});

const tags = ["federation"];
const PeerParams = t.Object({ id: t.String({ minLength: 1, maxLength: 128 }) });

export const peerRoutes = (fed: Federation) => {
  // Run again before a body is read (parse comes before transform), so a caller who isn't an
  // administrator learns nothing about the API's shape.
  const admin = (request: Request) => fed.auth.requireAdmin(request);
  return new Elysia({ name: "federation-peers" })
    .onTransform(async ({ request }) => {
      await admin(request);
    })
    .get("/federation/peers", async () => ({ peers: (await listPeers(fed.db)).map(peerView) }), {
      detail: {
        summary: "Peers of this instance, in every state",
        tags,
        responses: responses({ 200: t.Object({ peers: t.Array(PeerView) }) }, 401, 403),
      },
    })
    .post(
      "/federation/peers",
      async ({ body, set }) => {
        const peer = await addPeer(fed, body.url, body.grants);
        set.status = 201;
        return peerView(peer);
      },
      {
        ...JsonBody(
          t.Object(
            { url: t.String({ minLength: 1, maxLength: 2048 }), grants: t.Optional(GrantsSchema) },
            { additionalProperties: false },
          ),
          admin,
        ),
        detail: {
          summary: "Ask the instance at url to peer with this one (it stays requested until its admin accepts)",
          tags,
          responses: responses({ 201: PeerView }, 401, 403, 409, 422, 502),
        },
      },
    )
    .get(
      "/federation/peers/:id",
      async ({ params }) => {
        const peer = await findPeer(fed.db, params.id);
        if (!peer) throw notFound("No such peer", { path: params.id });
        return peerView(peer);
      },
      { params: PeerParams, detail: { summary: "One peer", tags, responses: responses({ 200: PeerView }, 401, 403, 404) } },
    )
    .get(
      "/federation/peers/:id/audit",
      async ({ params, query }) => ({ entries: await listAudit(fed.db, params.id, query.limit ?? 100, query.before) }),
      {
        params: PeerParams,
        query: t.Object({
          limit: t.Optional(t.Integer({ minimum: 1, maximum: 500 })),
          before: t.Optional(t.Integer({ minimum: 1 })),
        }),
        detail: {
          summary: "What the peer's users did here (spawns, kills, refusals), newest first",
          tags,
          responses: responses({ 200: AuditEntries }, 401, 403, 422),
        },
      },
    )
    .post(
      "/federation/peers/:id/accept",
      async ({ params, body }) => {
        const { peer, notified } = await acceptPeer(fed, params.id, body.grants);
        return { ...peerView(peer), notified };
      },
      {
        params: PeerParams,
        ...OptionalBody(t.Object({ grants: t.Optional(GrantsSchema) }, { additionalProperties: false }), admin),
        detail: {
          summary: "Accept a pending request, or resume a suspended peer",
          tags,
          responses: responses({ 200: PeerChange }, 401, 403, 404, 409, 422),
        },
      },
    )
    .post(
      "/federation/peers/:id/suspend",
      async ({ params }) => {
        const { peer, notified } = await suspendPeer(fed, params.id);
        return { ...peerView(peer), notified };
      },
      {
        params: PeerParams,
        ...NoBody(admin),
        detail: {
          summary: "Refuse the peer's messages until it is accepted again",
          tags,
          responses: responses({ 200: PeerChange }, 401, 403, 404, 409),
        },
      },
    )
    .post(
      "/federation/peers/:id/disconnect",
      async ({ params }) => {
        const { peer, notified } = await disconnectPeer(fed, params.id);
        return { ...peerView(peer), notified };
      },
      {
        params: PeerParams,
        ...NoBody(admin),
        detail: {
          summary: "End the connection; its agents here are killed",
          tags,
          responses: responses({ 200: PeerChange }, 401, 403, 404, 409),
        },
      },
    )
    .put(
      "/federation/peers/:id/grants",
      async ({ params, body }) => {
        return peerView(await setGrants(fed, params.id, body));
      },
      {
        params: PeerParams,
        ...JsonBody(GrantsSchema, admin),
        detail: {
          summary: "What the peer may do here: commands and agent types",
          tags,
          responses: responses({ 200: PeerView }, 401, 403, 404, 422),
        },
      },
    );
};
