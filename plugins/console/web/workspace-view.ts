// One workspace: who may invite, the live jobs and agents tables, and the socket's state. Lists are
// fetched after subscribing, so nothing that happens in between is missed; the tables keep the newer
// of a fetched record and an event.
import type { EventMessage } from "../../websocket/protocol";
import { AgentsTable } from "./agents-table";
import { api, isNotFound } from "./api";
import { field, h, notice, submitting } from "./dom";
import { JobsTable } from "./jobs-table";
import type { LiveFeed, LiveStatus } from "./live";
import { listOf, toAgent, toJob, type Workspace } from "./records";

const STATUS_TEXT: Record<LiveStatus, string> = {
  connecting: "Connecting…",
  open: "Live",
  reconnecting: "Reconnecting…",
  closed: "Not live: reload the page",
  unavailable: "Live updates are off (the websocket plugin is not enabled)",
  "signed-out": "Your session has ended: reload the page to sign in again",
  removed: "You are no longer a member of this workspace",
};

const inviteForm = (workspace: Workspace): HTMLElement => {
  const roles = workspace.role === "owner" ? ["member", "viewer", "admin", "owner"] : ["member", "viewer", "admin"];
  const out = h("div");
  const form = h(
    "form",
    { class: "inline", "aria-label": "Invite a member" },
    h("label", {}, "Email", h("input", { type: "email", name: "email", required: true, autocomplete: "off" })),
    h("label", {}, "Role", h("select", { name: "role" }, ...roles.map((role) => h("option", { value: role }, role)))),
    h("button", { type: "submit" }, "Invite"),
  );
  submitting(form, out, async (data) => {
    const email = field(data, "email");
    await api("POST", `/workspaces/${encodeURIComponent(workspace.id)}/members`, { email, role: field(data, "role") });
    form.reset();
    return `${email} is now a member of ${workspace.name}.`;
  });
  return h("section", { "aria-labelledby": "invite-heading" }, h("h2", { id: "invite-heading" }, "Invite by email"), form, out);
};

export const workspaceView = (workspace: Workspace, live: LiveFeed, peerName: (id: string) => string): HTMLElement => {
  const jobs = new JobsTable();
  const agents = new AgentsTable((agent) => (agent.runsOn === null ? "this instance" : peerName(agent.runsOn)));
  const status = h("p", { class: "live", role: "status" });
  const problems = h("div");
  const section = (id: string, title: string, content: HTMLElement) =>
    h("section", { "aria-labelledby": id }, h("h2", { id }, title), content);
  const jobsSection = section("jobs-heading", "Jobs", jobs.element);
  const agentsSection = section("agents-heading", "Agents", agents.element);
  const path = encodeURIComponent(workspace.id);

  const refresh = async () => {
    const [jobList, agentList] = await Promise.allSettled([
      api("GET", `/workspaces/${path}/jobs?limit=100`),
      api("GET", `/agents?workspaceId=${path}`),
    ]);
    problems.replaceChildren();
    if (jobList.status === "fulfilled") for (const job of listOf(jobList.value, "jobs", toJob)) jobs.upsert(job);
    else if (isNotFound(jobList.reason))
      jobsSection.replaceChildren(h("h2", {}, "Jobs"), notice("Jobs need the coordinator plugin, which is not enabled."));
    else problems.append(notice(`Jobs could not be loaded: ${String(jobList.reason)}`, "error"));
    if (agentList.status === "fulfilled")
      for (const agent of listOf(agentList.value, "agents", toAgent)) agents.upsert(agent, true);
    else if (isNotFound(agentList.reason))
      agentsSection.replaceChildren(h("h2", {}, "Agents"), notice("Agents need the federation plugin, which is not enabled."));
    else problems.append(notice(`Agents could not be loaded: ${String(agentList.reason)}`, "error"));
  };

  const onEvent = (event: EventMessage) => {
    if (event.event.startsWith("job.")) {
      const job = toJob(event.data);
      if (job) jobs.upsert(job);
    } else if (event.event === "agent.updated") {
      const agent = toAgent(event.data);
      if (agent) agents.upsert(agent);
    }
  };

  live.follow(workspace.id, {
    onEvent,
    onResync: () => void refresh(),
    onStatus: (state) => {
      status.textContent = STATUS_TEXT[state];
      status.dataset.status = state;
    },
  });
  void refresh();

  const canInvite = workspace.role === "owner" || workspace.role === "admin";
  return h(
    "div",
    { class: "workspace" },
    h("h1", {}, workspace.name, " ", h("span", { class: "role" }, `(${workspace.role})`)),
    status,
    problems,
    canInvite ? inviteForm(workspace) : null,
    jobsSection,
    agentsSection,
  );
};
