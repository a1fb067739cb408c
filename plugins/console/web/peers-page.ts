// Federation peers, for instance administrators: request peering by URL, accept pending requests
// (with grants), suspend or disconnect active peers, and spawn an agent on a peer into a workspace,
// then follow it on that workspace's live page.
import { api, isNotFound } from "./api";
import { field, h, notice, stateBadge, submitting, timeOf } from "./dom";
import { acceptForm, peerAction, peerLabel, spawnForm } from "./peer-forms";
import { listOf, type Peer, toPeer, type Workspace } from "./records";

export interface PeersPageOptions {
  workspaces: Workspace[];
  /** Called with the workspace an agent was spawned into, to follow it there. */
  onSpawned: (workspaceId: string) => void;
}

const BUTTONS: Record<string, { action: string; label: string; style: string }[]> = {
  pending: [{ action: "disconnect", label: "Refuse", style: "danger" }],
  active: [
    { action: "suspend", label: "Suspend", style: "secondary" },
    { action: "disconnect", label: "Disconnect", style: "danger" },
  ],
  suspended: [{ action: "disconnect", label: "Disconnect", style: "danger" }],
  requested: [{ action: "disconnect", label: "Cancel request", style: "danger" }],
  remote_suspended: [{ action: "disconnect", label: "Disconnect", style: "danger" }],
};

// A returning peer could be an impostor in a former peer's name: the admin sees what changed before accepting.
const returningText = (url: string, returning: NonNullable<Peer["returning"]>): string => {
  const changes = [
    returning.previousUrl === url ? null : `was at ${returning.previousUrl}`,
    returning.keysChanged ? "new keys" : null,
  ].filter((change) => change !== null);
  return `Returning peer, starts with nothing${changes.length > 0 ? `: ${changes.join(", ")}` : ""}`;
};

const grantsText = (peer: Peer): string => {
  const { commands, agentTypes } = peer.grants;
  if (commands.length === 0) return "may do nothing here";
  return `may send ${commands.join(", ")}${agentTypes.length > 0 ? `; agent types ${agentTypes.join(", ")}` : ""}`;
};

export const peersPage = ({ workspaces, onSpawned }: PeersPageOptions): HTMLElement => {
  const rows = h("tbody");
  const out = h("div");
  const table = h(
    "table",
    { "aria-label": "Peers" },
    h("thead", {}, h("tr", {}, ...["Peer", "State", "Since", "Actions"].map((title) => h("th", { scope: "col" }, title)))),
    rows,
  );
  const body = h("div", {}, table);
  const title = h("h1", {}, "Federation peers");

  const act = async (peer: Peer, action: string) => {
    try {
      await peerAction(peer, action);
    } catch (error) {
      out.replaceChildren(notice(error instanceof Error ? error.message : String(error), "error"));
    }
    await load();
  };

  const row = (peer: Peer) =>
    h(
      "tr",
      { "data-peer-id": peer.id },
      h(
        "td",
        {},
        h("strong", {}, peerLabel(peer)),
        h("br"),
        h("span", { class: "muted" }, peer.url),
        h("br"),
        h("span", { class: "muted" }, grantsText(peer)),
        ...(peer.returning ? [h("br"), h("strong", { class: "state-pending" }, returningText(peer.url, peer.returning))] : []),
      ),
      h("td", {}, stateBadge(peer.status)),
      h("td", {}, timeOf(peer.updatedAt)),
      h(
        "td",
        {},
        peer.status === "pending" || peer.status === "suspended" ? acceptForm(peer, load) : null,
        peer.status === "active" ? spawnForm(peer, workspaces, onSpawned) : null,
        h(
          "div",
          { class: "actions" },
          ...(BUTTONS[peer.status] ?? []).map(({ action, label, style }) =>
            h(
              "button",
              {
                type: "button",
                class: style,
                "aria-label": `${label} ${peerLabel(peer)}`,
                onclick: () => void act(peer, action),
              },
              label,
            ),
          ),
        ),
      ),
    );

  async function load(): Promise<void> {
    try {
      const peers = listOf(await api("GET", "/federation/peers"), "peers", toPeer);
      rows.replaceChildren(...peers.map(row));
      table.hidden = peers.length === 0;
      body.replaceChildren(
        table,
        ...(peers.length === 0 ? [notice("No peers yet: request peering with another instance above.")] : []),
      );
    } catch (error) {
      if (!isNotFound(error)) body.replaceChildren(notice(error instanceof Error ? error.message : String(error), "error"));
      else
        page.replaceChildren(
          title,
          notice("Federation is not enabled on this instance: enable the federation plugin in tessera.jsonc."),
        );
    }
  }

  const addOut = h("div");
  const addForm = h(
    "form",
    { class: "inline", "aria-label": "Request peering" },
    h(
      "label",
      {},
      "Peer URL",
      h("input", { type: "url", name: "url", required: true, placeholder: "https://other.example.com" }),
    ),
    h("button", { type: "submit" }, "Request peering"),
  );
  submitting(addForm, addOut, async (data) => {
    await api("POST", "/federation/peers", { url: field(data, "url") });
    addForm.reset();
    await load();
    return "Requested: the peer becomes active once the other instance's administrator accepts.";
  });

  const page = h(
    "div",
    {},
    title,
    addForm,
    addOut,
    out,
    h("p", {}, h("button", { type: "button", class: "secondary", onclick: () => void load() }, "Refresh")),
    body,
  );
  void load();
  return page;
};
