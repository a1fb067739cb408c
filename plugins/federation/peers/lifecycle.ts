// Where a connection stands, and the admin actions that move it: accept (or resume), suspend, disconnect
// and grants; plus the same moves when the other side announces them. Each takes effect here at once and
// tells the other side with a signed message when it can.
import { conflict, notFound } from "tessera/plugin";
import { activeMirrors } from "../agents/agent-store";
import { fedError } from "../errors";
import type { Federation } from "../federation";
import { loseMirror } from "../remote/remote-agents";
import { endGuestSessions } from "../sign-in/guests";
import { sendMessage } from "../wire/send";
import { fetchDocument } from "./fetch-document";
import type { PeerGrants } from "./grants";
import type { PeerEntry } from "./peer-cache";
import { findPeer, type Peer, type PeerChanges, type PeerStatus, updatePeer } from "./peer-store";

export interface PeerOutcome {
  peer: Peer;
  /** Whether the other side heard of it now (otherwise: queued in the outbox, or not reachable). */
  notified: boolean;
}

type Notice = "connection.accept" | "connection.suspended" | "connection.resumed" | "connection.disconnected";

const CONNECTED: readonly PeerStatus[] = ["active", "remote_suspended", "suspended"];

const load = async (fed: Federation, id: string): Promise<Peer> => {
  const peer = await findPeer(fed.db, id);
  if (!peer) throw notFound("No such peer", { path: id });
  return peer;
};

const change = async (fed: Federation, peer: Peer, changes: PeerChanges): Promise<PeerEntry> => {
  const entry = await fed.peers.put(await updatePeer(fed.db, peer, changes));
  // The peer's users signed in here through it: once it is suspended or gone, so are they, at once.
  if (changes.status === "suspended" || changes.status === "disconnected") {
    const ended = await endGuestSessions(fed.db, peer.id);
    if (ended > 0) fed.log.info("guest sessions ended", { peer: peer.id, sessions: ended });
  }
  return entry;
};

/** Sends now; a notice that must arrive (accept, resume) goes to the outbox if the peer can't be reached. */
const notify = async (fed: Federation, entry: PeerEntry, notice: Notice, mustArrive: boolean): Promise<boolean> => {
  const [type, body] =
    notice === "connection.accept"
      ? (["connection.accept", { instance: fed.document() }] as const)
      : (["event", { name: notice }] as const);
  try {
    await sendMessage(fed, entry, type, body, { timeoutMs: Math.min(fed.config.delivery.timeoutMs, 5000) });
    return true;
  } catch (error) {
    fed.log.warn("a peer could not be told about the connection", { peer: entry.peer.id, notice, error });
    if (mustArrive) await fed.outbox.enqueue(entry.peer.id, type, body);
    return false;
  }
};

/** Stops everything that depended on the connection: its agents here, and our agents there. */
const endConnection = async (fed: Federation, peerId: string) => {
  await fed.runner.terminateAll("killed", peerId);
  for (const mirror of await activeMirrors(fed.db, peerId)) await loseMirror(fed, mirror);
};

export const acceptPeer = async (fed: Federation, id: string, grants?: PeerGrants): Promise<PeerOutcome> => {
  const peer = await load(fed, id);
  if (peer.status === "active") {
    const entry = grants ? await change(fed, peer, { grants }) : await fed.peers.put(peer);
    return { peer: entry.peer, notified: true };
  }
  if (peer.status === "suspended") {
    const entry = await change(fed, peer, grants ? { status: "active", grants } : { status: "active" });
    return { peer: entry.peer, notified: await notify(fed, entry, "connection.resumed", true) };
  }
  if (peer.status !== "pending") {
    throw conflict(`Only a pending request (or a suspended peer) can be accepted; this peer is ${peer.status}`, { path: id });
  }
  // The request was signed with a key it carried itself: before trusting it, check that the instance at
  // the URL it names really holds that key, so nobody can ask in another instance's name.
  const origin = await fetchDocument(fed, peer.url);
  if (origin.id !== peer.id || !origin.keys.some((key) => peer.keys.some((pinned) => pinned.kid === key.kid))) {
    throw fedError("ERR_FED_PEER", 409, `The instance at ${peer.url} does not hold the key that signed this request`, {
      path: id,
    });
  }
  // Whoever accepts has seen what a returning peer changed; from here on it is simply a peer.
  const entry = await change(fed, peer, {
    status: "active",
    keys: origin.keys,
    name: origin.name,
    returning: null,
    ...(grants ? { grants } : {}),
  });
  fed.log.info("peer accepted", { peer: id, url: peer.url });
  return { peer: entry.peer, notified: await notify(fed, entry, "connection.accept", true) };
};

export const suspendPeer = async (fed: Federation, id: string): Promise<PeerOutcome> => {
  const peer = await load(fed, id);
  if (peer.status === "suspended") return { peer, notified: false };
  if (peer.status === "disconnected") throw conflict("A disconnected peer can't be suspended", { path: id });
  const entry = await change(fed, peer, { status: "suspended" });
  fed.log.info("peer suspended", { peer: id });
  const tell = peer.status === "active" || peer.status === "remote_suspended";
  return { peer: entry.peer, notified: tell && (await notify(fed, entry, "connection.suspended", false)) };
};

export const disconnectPeer = async (fed: Federation, id: string): Promise<PeerOutcome> => {
  const peer = await load(fed, id);
  if (peer.status === "disconnected") return { peer, notified: false };
  const entry = await change(fed, peer, { status: "disconnected" });
  fed.log.info("peer disconnected", { peer: id });
  await endConnection(fed, id);
  const tell = CONNECTED.includes(peer.status);
  return { peer: entry.peer, notified: tell && (await notify(fed, entry, "connection.disconnected", false)) };
};

export const setGrants = async (fed: Federation, id: string, grants: PeerGrants): Promise<Peer> => {
  const peer = await load(fed, id);
  if (peer.status === "disconnected") throw conflict("A disconnected peer has no grants to edit", { path: id });
  return (await change(fed, peer, { grants })).peer;
};

/** The other side suspended, resumed or ended the connection. */
export const applyNotice = async (fed: Federation, entry: PeerEntry, notice: Exclude<Notice, "connection.accept">) => {
  const { peer } = entry;
  if (notice === "connection.suspended" && peer.status === "active") await change(fed, peer, { status: "remote_suspended" });
  if (notice === "connection.resumed" && peer.status === "remote_suspended") await change(fed, peer, { status: "active" });
  if (notice === "connection.disconnected") {
    await change(fed, peer, { status: "disconnected" });
    await endConnection(fed, peer.id);
  }
  fed.log.info("peer changed the connection", { peer: peer.id, notice });
};
