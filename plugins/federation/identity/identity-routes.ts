// The public identity document, and key rotation for administrators: a new key signs from now on, the
// previous one stays listed with notAfter, and active peers are told with a message signed by the key
// they have pinned (retried through the outbox when a peer can't be reached now).
import { Type } from "@sinclair/typebox";
import { Elysia } from "elysia";
import { isTesseraError, OptionalBody, responses } from "tessera/plugin";
import type { Federation } from "../federation";
import { listPeers } from "../peers/peer-store";
import { KeyRotation } from "../response-schemas";
import { WELL_KNOWN_PATH } from "../wire/constants";
import { sendMessage } from "../wire/send";
import { IdentityDocumentSchema } from "./document";

/** A retired key verifying longer than this is a mistake, not a policy. */
export const MAX_OVERLAP_MS = 30 * 86_400_000;

const announce = async (fed: Federation, peerId: string) => {
  const body = { name: "instance.updated", instance: fed.document() };
  const entry = await fed.peers.get(peerId);
  try {
    if (!entry) return { peer: peerId, notified: false };
    await sendMessage(fed, entry, "event", body);
    return { peer: peerId, notified: true };
  } catch (error) {
    fed.log.warn("a peer could not be told about the key rotation now; queued", { peer: peerId, error });
    await fed.outbox.enqueue(peerId, "event", body);
    return { peer: peerId, notified: false, error: isTesseraError(error) ? error.code : "ERR_INTERNAL" };
  }
};

export const identityRoutes = (fed: Federation) =>
  new Elysia({ name: "federation-identity" })
    .get(
      WELL_KNOWN_PATH,
      ({ set }) => {
        // Short, because a rotation changes it and peers fetch it when connecting.
        set.headers["cache-control"] = "public, max-age=60";
        return fed.document();
      },
      {
        detail: {
          summary: "This instance's federation identity: id, name, URL, public keys, capabilities",
          tags: ["federation"],
          security: [],
          responses: responses({ 200: IdentityDocumentSchema }),
        },
      },
    )
    .post(
      "/federation/keys/rotate",
      async ({ body }) => {
        const rotated = await fed.keys.rotate(body.overlapMs ?? fed.config.keys.rotationOverlapMs);
        fed.log.info("identity key rotated", { kid: rotated.kid, retired: rotated.retired.kid });
        const known = await listPeers(fed.db);
        const peers = await Promise.all(known.filter((peer) => peer.status === "active").map((peer) => announce(fed, peer.id)));
        // Suspended connections hear of it when they resume, if that is within the overlap.
        for (const peer of known.filter(
          (candidate) => candidate.status === "suspended" || candidate.status === "remote_suspended",
        )) {
          await fed.outbox.enqueue(peer.id, "event", { name: "instance.updated", instance: fed.document() });
        }
        return { ...rotated, peers };
      },
      {
        // The admin check runs before the body is read, so a caller who isn't an administrator learns
        // nothing about the API's shape. TypeBox's Integer: Elysia's would also take the string "50".
        ...OptionalBody(
          Type.Object(
            { overlapMs: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_OVERLAP_MS })) },
            { additionalProperties: false },
          ),
          (request) => fed.auth.requireAdmin(request),
        ),
        detail: {
          summary: "Rotate the identity key; the previous key verifies until notAfter",
          tags: ["federation"],
          responses: responses({ 200: KeyRotation }, 401, 403, 422),
        },
      },
    );
