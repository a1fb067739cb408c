// connection.request (another instance asks to peer: stored pending for an admin) and connection.accept
// (the instance we asked has accepted: the connection is active). A request is checked in full before
// the inbox records anything: `admitConnectionRequest` decides, `recordConnectionRequest` stores.
import { fedError } from "../errors";
import type { Federation } from "../federation";
import { type IdentityDocument, readDocument } from "../identity/document";
import type { PublicJwk } from "../identity/jwk";
import { fetchDocument, peerUrl } from "../peers/fetch-document";
import { noGrants } from "../peers/grants";
import { countPending, type Peer, savePeer, updatePeer } from "../peers/peer-store";
import { unshareAll } from "../sign-in/shares";
import type { Inbound } from "./verify-inbound";

// A full queue of requests clears only when an admin acts, so the sender is told to come back much later.
const PENDING_RETRY_AFTER_S = "3600";

const senderDocument = async (inbound: Inbound): Promise<IdentityDocument> => {
  const { message } = inbound;
  if (message.type !== "connection.request" && message.type !== "connection.accept") {
    throw fedError("ERR_FED_MALFORMED", 400, `A ${message.type} message carries no instance document`);
  }
  const document = inbound.document ?? (await readDocument(message.body.instance));
  if (document.id !== message.iss) throw fedError("ERR_FED_MALFORMED", 400, "The instance document is not the sender's");
  return document;
};

const kidsOf = (keys: readonly PublicJwk[]) => [...new Set(keys.map((key) => key.kid))].sort().join(" ");
// A kid is its key's thumbprint (checked when a document is read), so equal kids are equal keys.
const sameKeys = (a: readonly PublicJwk[], b: readonly PublicJwk[]) => kidsOf(a) === kidsOf(b);

/**
 * The instance at the URL the request names must publish the same id and keys as the request carries:
 * otherwise anyone could ask in another instance's name, or point a request at a host it doesn't run.
 */
const provenDocument = async (fed: Federation, carried: IdentityDocument): Promise<IdentityDocument> => {
  const url = peerUrl(fed, carried.url);
  const published = await fetchDocument(fed, url);
  if (published.id !== carried.id || !sameKeys(published.keys, carried.keys)) {
    throw fedError("ERR_FED_PEER", 403, `The instance at ${url} does not publish the id and keys this request carries`);
  }
  return { ...published, url };
};

/** What storing an admitted request will do; nothing has been written yet. */
export interface AdmittedRequest {
  peer: Peer;
  /** A peer known before (disconnected, say) that asks again: its grants and shares are cleared. */
  returning: boolean;
}

/** Every check on a connection.request; throws before anything is written. */
export const admitConnectionRequest = async (fed: Federation, inbound: Inbound): Promise<AdmittedRequest> => {
  const document = await provenDocument(fed, await senderDocument(inbound));
  const existing = inbound.peer?.peer;
  if (existing?.status === "active" || existing?.status === "remote_suspended") {
    throw fedError("ERR_FED_PEER", 409, "Already connected; disconnect first to connect again");
  }
  if (existing?.status === "suspended") throw fedError("ERR_FED_PEER", 403, "This instance has suspended the connection");
  // A request in flight can't change where the peer lives or what it signs with: only a signed
  // instance.updated from an active peer, or an administrator, can.
  if (
    (existing?.status === "pending" || existing?.status === "requested") &&
    (existing.url !== document.url || !sameKeys(existing.keys, document.keys))
  ) {
    throw fedError("ERR_FED_PEER", 409, `${document.id} has already asked to connect from another URL or with other keys`);
  }
  if (existing?.status !== "pending" && (await countPending(fed.db)) >= fed.config.peers.maxPending) {
    throw fedError("ERR_FED_PEER", 429, "Too many connection requests are awaiting approval here", {
      headers: { "Retry-After": PENDING_RETRY_AFTER_S },
    });
  }
  const now = Date.now();
  const returning = existing?.status === "disconnected";
  const base: Peer = {
    id: document.id,
    url: document.url,
    name: document.name,
    status: "pending",
    keys: document.keys,
    grants: existing && !returning ? existing.grants : noGrants(),
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
  const peer: Peer =
    existing && returning
      ? {
          ...base,
          returning: {
            previousUrl: existing.url,
            previousStatus: existing.status,
            keysChanged: !sameKeys(existing.keys, document.keys),
          },
        }
      : existing?.returning
        ? { ...base, returning: existing.returning }
        : base;
  return { peer, returning };
};

export const recordConnectionRequest = async (fed: Federation, admitted: AdmittedRequest): Promise<{ status: "pending" }> => {
  const { peer, returning } = admitted;
  if (returning) {
    const unshared = await unshareAll(fed.db, peer.id);
    fed.log.info("a known peer asked to connect again; its grants and shares are cleared", { peer: peer.id, unshared });
  }
  await fed.peers.put(await savePeer(fed.db, peer));
  fed.log.info("connection request received", { peer: peer.id, url: peer.url });
  return { status: "pending" };
};

export const handleConnectionAccept = async (fed: Federation, inbound: Inbound): Promise<{ status: "active" }> => {
  const document = await senderDocument(inbound);
  const { peer } = inbound;
  if (!peer) throw fedError("ERR_FED_PEER", 403, `${inbound.message.iss} is not a peer of this instance`);
  // Signed with a key pinned when the admin added the peer, so the document it carries is the peer's word.
  await fed.peers.put(await updatePeer(fed.db, peer.peer, { status: "active", keys: document.keys, name: document.name }));
  if (peer.peer.status !== "active") fed.log.info("peer accepted the connection", { peer: peer.peer.id });
  return { status: "active" };
};
