// connection.request (another instance asks to peer: stored pending for an admin) and connection.accept
// (the instance we asked has accepted: the connection is active).
import { netAllowed } from "../../../core/plugins/grants";
import { fedError } from "../errors";
import type { Federation } from "../federation";
import { type IdentityDocument, readDocument } from "../identity/document";
import { noGrants } from "../peers/grants";
import { countPending, type Peer, savePeer, updatePeer } from "../peers/peer-store";
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

export const handleConnectionRequest = async (fed: Federation, inbound: Inbound): Promise<{ status: "pending" }> => {
  const document = await senderDocument(inbound);
  const host = new URL(document.url).host;
  if (!netAllowed(new URL(document.url), fed.config.peers.allowedHosts)) {
    throw fedError("ERR_FED_NOT_GRANTED", 403, `This instance does not peer with instances on ${host}`);
  }
  const existing = inbound.peer?.peer;
  if (existing?.status === "active" || existing?.status === "remote_suspended") {
    throw fedError("ERR_FED_PEER", 409, "Already connected; disconnect first to connect again");
  }
  if (existing?.status === "suspended") throw fedError("ERR_FED_PEER", 403, "This instance has suspended the connection");
  if (existing?.status !== "pending" && (await countPending(fed.db)) >= fed.config.peers.maxPending) {
    throw fedError("ERR_FED_PEER", 429, "Too many connection requests are awaiting approval here", {
      headers: { "Retry-After": PENDING_RETRY_AFTER_S },
    });
  }
  const now = Date.now();
  const peer: Peer = {
    id: document.id,
    url: document.url,
    name: document.name,
    status: "pending",
    keys: document.keys,
    grants: existing?.grants ?? noGrants(),
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
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
