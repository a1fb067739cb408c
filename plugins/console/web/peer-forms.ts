// The forms on a peer's row: accepting a request with what the peer may do here (nothing unless
// granted), and spawning an agent on an active peer into one of the admin's workspaces.
import { api } from "./api";
import { field, h, notice, submitting } from "./dom";
import { type Peer, toAgent, type Workspace } from "./records";

const COMMANDS = ["agent.spawn", "agent.status", "agent.kill", "agent.list"];

export const peerLabel = (peer: Peer): string => peer.name ?? new URL(peer.url).host;

const peerPath = (peer: Peer, action: string) => `/federation/peers/${encodeURIComponent(peer.id)}/${action}`;

const list = (text: string): string[] => [
  ...new Set(
    text
      .split(/[\s,]+/)
      .map((item) => item.trim())
      .filter((item) => item !== ""),
  ),
];

export const acceptForm = (peer: Peer, done: () => Promise<void>): HTMLElement => {
  const out = h("div");
  const label = peerLabel(peer);
  const form = h(
    "form",
    { "aria-label": `Accept ${label}` },
    h(
      "fieldset",
      {},
      h("legend", {}, "Commands it may send"),
      ...COMMANDS.map((command) =>
        h(
          "label",
          { class: "check" },
          h("input", { type: "checkbox", name: "commands", value: command, checked: true }),
          command,
        ),
      ),
    ),
    h(
      "label",
      {},
      "Agent types it may spawn (comma-separated)",
      h("input", { name: "agentTypes", autocomplete: "off", value: peer.grants.agentTypes.join(", ") }),
    ),
    h("p", {}, h("button", { type: "submit" }, peer.status === "pending" ? "Accept" : "Resume")),
  );
  submitting(form, out, async (data) => {
    const commands = data.getAll("commands").filter((value): value is string => typeof value === "string");
    await api("POST", peerPath(peer, "accept"), { grants: { commands, agentTypes: list(field(data, "agentTypes")) } });
    await done();
    return undefined;
  });
  return h("div", {}, form, out);
};

export const spawnForm = (peer: Peer, workspaces: Workspace[], onSpawned: (workspaceId: string) => void): HTMLElement => {
  const usable = workspaces.filter((workspace) => workspace.role !== "viewer");
  if (usable.length === 0) return notice("Create a workspace to spawn agents into.");
  const out = h("div");
  const form = h(
    "form",
    { class: "inline", "aria-label": `Spawn an agent on ${peerLabel(peer)}` },
    h("label", {}, "Agent type", h("input", { name: "agentType", required: true, autocomplete: "off" })),
    h("label", {}, "Input", h("input", { name: "input", autocomplete: "off" })),
    h(
      "label",
      {},
      "Workspace",
      h("select", { name: "workspaceId" }, ...usable.map((workspace) => h("option", { value: workspace.id }, workspace.name))),
    ),
    h("button", { type: "submit" }, "Spawn"),
  );
  submitting(form, out, async (data) => {
    const workspaceId = field(data, "workspaceId");
    const body = { workspaceId, agentType: field(data, "agentType"), input: field(data, "input") };
    if (!toAgent(await api("POST", peerPath(peer, "agents"), body))) throw new Error("The server did not return the new agent");
    onSpawned(workspaceId);
    return undefined;
  });
  return h("div", {}, form, out);
};

/** A plain action (suspend, disconnect…) on a peer; disconnecting is confirmed, since it kills the peer's agents here. */
export const peerAction = async (peer: Peer, action: string): Promise<void> => {
  if (action === "disconnect" && !confirm(`Disconnect ${peerLabel(peer)}? Its agents here are killed.`)) return;
  await api("POST", peerPath(peer, action));
};
