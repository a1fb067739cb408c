// The hub's half of peering: fetch the other instance's identity document from the URL an admin gave,
// record it as `requested` with its keys pinned, and send it a signed connection.request. A request
// that fails leaves things as they were.
import { conflict, validationFailed } from "tessera/plugin";
import type { Federation } from "../federation";
import { unshareAll } from "../sign-in/shares";
import { sendMessage } from "../wire/send";
import { fetchDocument, peerUrl } from "./fetch-document";
import { noGrants, type PeerGrants } from "./grants";
import { deletePeer, findPeer, type Peer, savePeer } from "./peer-store";

export type AddPeerDeps = Pick<Federation, "config" | "db" | "fetch" | "keys" | "log" | "peers" | "self" | "document">;

export const addPeer = async (fed: AddPeerDeps, url: string, grants?: PeerGrants): Promise<Peer> => {
  const canonical = peerUrl(fed, url);
  const document = await fetchDocument(fed, canonical);
  if (document.id === fed.self.id) throw validationFailed("That URL is this instance", { path: "url" });
  const existing = await findPeer(fed.db, document.id);
  if (existing?.status === "pending") {
    throw conflict(`${document.id} has already asked to connect; accept it with POST /federation/peers/${document.id}/accept`, {
      path: document.id,
    });
  }
  if (existing && existing.status !== "requested" && existing.status !== "disconnected") {
    throw conflict(`Already peered with ${document.id} (${existing.status})`, { path: document.id });
  }
  const now = Date.now();
  const peer: Peer = {
    id: document.id,
    url: canonical,
    name: document.name,
    status: "requested",
    keys: document.keys,
    // A disconnected peer asked again is a new connection: nothing it had before carries over.
    grants: grants ?? (existing?.status === "requested" ? existing.grants : noGrants()),
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
  // Stored before sending, so an accept that comes back quickly finds it.
  await savePeer(fed.db, peer);
  const entry = await fed.peers.put(peer);
  try {
    await sendMessage(fed, entry, "connection.request", { instance: fed.document() });
  } catch (error) {
    if (existing) await fed.peers.put(await savePeer(fed.db, existing));
    else {
      await deletePeer(fed.db, peer.id);
      fed.peers.forget(peer.id);
    }
    throw error;
  }
  if (existing?.status === "disconnected") {
    const unshared = await unshareAll(fed.db, peer.id);
    if (unshared > 0) fed.log.info("workspace shares with a returning peer ended", { peer: peer.id, unshared });
  }
  fed.log.info("connection requested", { peer: peer.id, url: canonical });
  return peer;
};
