// The federation's commands for an admin on the host: `peers add URL` (the hub's half of peering),
// `peers list`, and `peers accept|suspend ID` (the other half, and stopping it). Each builds the
// federation from the plugin's ctx (database, keys, grants) without starting anything; the running
// server reads the changed peer from the database within seconds (peer-cache.ts).
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { badRequest, type Command, type CommandFlags, formatList, instant, JSON_FLAG } from "tessera/plugin";
import type { FederationConfig } from "./config";
import { createFederation } from "./create-federation";
import { addPeer } from "./peers/add-peer";
import { GrantsSchema, type PeerGrants } from "./peers/grants";
import { acceptPeer, suspendPeer } from "./peers/lifecycle";
import { peerView } from "./peers/peer-routes";
import { listPeers } from "./peers/peer-store";

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

const LIST_FLAGS = JSON_FLAG satisfies CommandFlags;

export const peersList: Command<FederationConfig, typeof LIST_FLAGS> = {
  name: "peers list",
  summary: "peers in every state, with their grants",
  flags: LIST_FLAGS,
  async run({ flags }, command) {
    const peers = (await listPeers((await command.open()).db)).map(peerView);
    command.out(
      formatList(
        peers,
        [
          { header: "ID", cell: (peer) => peer.id },
          { header: "URL", cell: (peer) => peer.url },
          { header: "NAME", cell: (peer) => peer.name },
          { header: "STATUS", cell: (peer) => (peer.returning ? `${peer.status} (returning)` : peer.status) },
          { header: "COMMANDS", cell: (peer) => peer.grants.commands.join(",") },
          { header: "AGENT TYPES", cell: (peer) => peer.grants.agentTypes.join(",") },
          { header: "UPDATED", cell: (peer) => instant(peer.updatedAt) },
        ],
        { json: flags.json === true, none: "no peers" },
      ),
    );
  },
};

const ACCEPT_FLAGS = {
  commands: { type: "string", value: "a,b", usage: "grant these commands (agent.spawn, agent.status, …)" },
  "agent-types": { type: "string", value: "a,b", usage: "grant these agent types" },
} satisfies CommandFlags;

const grantsCheck = TypeCompiler.Compile(GrantsSchema);
const words = (text: string | undefined): string[] =>
  (text ?? "")
    .split(",")
    .map((word) => word.trim())
    .filter((word) => word !== "");

/** The grants the flags spell, or undefined when neither is given (the peer's grants stay as they are). */
const grantsOf = (flags: { commands?: string; "agent-types"?: string }): PeerGrants | undefined => {
  if (flags.commands === undefined && flags["agent-types"] === undefined) return undefined;
  const grants = { commands: [...new Set(words(flags.commands))], agentTypes: [...new Set(words(flags["agent-types"]))] };
  if (!grantsCheck.Check(grants)) {
    const [issue] = grantsCheck.Errors(grants);
    const flag = issue?.path.startsWith("/commands") ? "--commands" : "--agent-types";
    throw badRequest(
      `${flag} has "${String(issue?.value)}", which is not ${flag === "--commands" ? "a federation command" : "an agent type name"}`,
    );
  }
  return grants;
};

const peerId = (argument: string | undefined, name: string): string => {
  if (!argument) throw badRequest(`${name} expects the peer's id, as peers list shows it`);
  return argument;
};

export const peersAccept: Command<FederationConfig, typeof ACCEPT_FLAGS> = {
  name: "peers accept",
  summary: "accept a pending peer (or resume a suspended one)",
  argument: "ID",
  flags: ACCEPT_FLAGS,
  async run({ argument, flags }, command) {
    const id = peerId(argument, "peers accept");
    const grants = grantsOf(flags);
    const fed = createFederation(await command.open());
    await fed.loadIdentity();
    const { peer, notified } = await acceptPeer(fed, id, grants);
    command.out(JSON.stringify({ ...peerView(peer), notified }));
  },
};

export const peersSuspend: Command<FederationConfig> = {
  name: "peers suspend",
  summary: "suspend a peer: its guests' sessions end, its messages are refused",
  argument: "ID",
  async run({ argument }, command) {
    const id = peerId(argument, "peers suspend");
    const fed = createFederation(await command.open());
    await fed.loadIdentity();
    const { peer, notified } = await suspendPeer(fed, id);
    command.out(JSON.stringify({ ...peerView(peer), notified }));
  },
};
