// Signed events from a peer: reports on agents it runs for us, a new identity document after a key
// rotation, and changes to the connection made by its admin.
import { fedError } from "../errors";
import type { Federation } from "../federation";
import { readDocument } from "../identity/document";
import { applyNotice } from "../peers/lifecycle";
import type { PeerEntry } from "../peers/peer-cache";
import { updatePeer } from "../peers/peer-store";
import { applyReport } from "../remote/remote-agents";
import type { EventBody } from "../wire/message";

export const handleEvent = async (fed: Federation, peer: PeerEntry, body: EventBody): Promise<{ applied: boolean }> => {
  switch (body.name) {
    case "agent.updated":
      return { applied: (await applyReport(fed, peer.peer.id, body.agent)) !== null };
    case "instance.updated": {
      const document = await readDocument(body.instance);
      if (document.id !== peer.peer.id) throw fedError("ERR_FED_MALFORMED", 400, "The instance document is not the sender's");
      await fed.peers.put(await updatePeer(fed.db, peer.peer, { keys: document.keys, name: document.name }));
      fed.log.info("peer rotated its keys", { peer: peer.peer.id, kids: document.keys.map((key) => key.kid) });
      return { applied: true };
    }
    default:
      await applyNotice(fed, peer, body.name);
      return { applied: true };
  }
};
