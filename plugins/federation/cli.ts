// `tessera peers add URL`: the hub's half of peering from the command line, for an admin on the host.
// It builds the federation from the plugin's ctx (database, keys, grants) without starting anything,
// asks the peer, and prints the peer as JSON; the peer's answer later reaches the running server's inbox.
import { badRequest, type Command } from "tessera/plugin";
import type { FederationConfig } from "./config";
import { createFederation } from "./create-federation";
import { addPeer } from "./peers/add-peer";
import { peerView } from "./peers/peer-routes";

export const peersAdd: Command<FederationConfig> = {
  name: "peers add",
  summary: "ask the instance at URL to peer; prints the peer",
  argument: "URL",
  async run({ argument }, command) {
    if (!argument) throw badRequest("peers add expects the peer's URL: tessera peers add https://other.example.com");
    const fed = createFederation(await command.open());
    await fed.loadIdentity();
    command.out(JSON.stringify(peerView(await addPeer(fed, argument))));
  },
};
