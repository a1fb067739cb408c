// The signed-in home: the user's workspaces (and a form to create one) beside the chosen workspace.
import { api } from "./api";
import { field, h, notice, submitting } from "./dom";
import type { LiveFeed } from "./live";
import { toWorkspace, type Workspace } from "./records";
import { workspaceView } from "./workspace-view";

export interface WorkspacesPageOptions {
  workspaces: Workspace[];
  /** From the URL (#/w/<id>); the first workspace when absent or unknown. */
  chosen: string | undefined;
  live: LiveFeed;
  peerName: (id: string) => string;
  /** Called with a workspace just created, which the page then shows. */
  onCreated: (workspace: Workspace) => void;
}

const createForm = (onCreated: (workspace: Workspace) => void): HTMLElement => {
  const out = h("div");
  const form = h(
    "form",
    { "aria-label": "Create a workspace" },
    h("label", {}, "New workspace name", h("input", { name: "name", required: true, maxlength: 100, autocomplete: "off" })),
    h("p", {}, h("button", { type: "submit" }, "Create workspace")),
  );
  submitting(form, out, async (data) => {
    const created = toWorkspace(await api("POST", "/workspaces", { name: field(data, "name") }));
    if (!created) throw new Error("The server did not return the new workspace");
    form.reset();
    onCreated(created);
    return undefined;
  });
  return h("div", {}, form, out);
};

export const workspacesPage = ({ workspaces, chosen, live, peerName, onCreated }: WorkspacesPageOptions): HTMLElement => {
  const current = workspaces.find((workspace) => workspace.id === chosen) ?? workspaces[0];
  const list = h(
    "ul",
    { class: "workspace-list" },
    ...workspaces.map((workspace) =>
      h(
        "li",
        {},
        h(
          "a",
          { href: `#/w/${encodeURIComponent(workspace.id)}`, "aria-current": workspace === current ? "true" : undefined },
          workspace.name,
          " ",
          h("span", { class: "role" }, workspace.role),
        ),
      ),
    ),
  );
  const side = h(
    "nav",
    { class: "panel", "aria-labelledby": "workspaces-heading" },
    h("h2", { id: "workspaces-heading" }, "Your workspaces"),
    workspaces.length === 0 ? h("p", { class: "muted" }, "No workspaces yet: create the first one.") : list,
    createForm(onCreated),
  );
  if (current) return h("div", { class: "layout" }, side, h("div", {}, workspaceView(current, live, peerName)));
  live.stopFollowing();
  return h("div", { class: "layout" }, side, h("div", {}, notice("Create a workspace to see its jobs and agents here, live.")));
};
