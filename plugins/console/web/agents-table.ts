// The live agents table (the federation plugin's agents, here and on peers), updated in place from
// `agent.updated` events; the output tail sits in a disclosure that stays open across updates.
import { h, stateBadge, timeOf } from "./dom";
import type { Agent } from "./records";

interface AgentRow {
  agent: Agent;
  row: HTMLTableRowElement;
  output: HTMLPreElement;
}

const TERMINAL = new Set(["completed", "failed", "killed", "timed_out", "lost"]);

const isFinished = (agent: Agent): boolean => TERMINAL.has(agent.status);

export class AgentsTable {
  readonly element: HTMLElement;
  private readonly body = h("tbody");
  private readonly empty = h("p", { class: "muted" }, "No agents in this workspace yet.");
  private readonly rows = new Map<string, AgentRow>();
  private readonly table: HTMLTableElement;

  /** `where` names the place an agent runs (this instance, or a peer by name). */
  constructor(private readonly where: (agent: Agent) => string) {
    this.table = h(
      "table",
      { "aria-label": "Agents" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...["Agent", "Runs on", "By", "State", "Started", "Ended", "Exit", "Output"].map((title) =>
            h("th", { scope: "col" }, title),
          ),
        ),
      ),
      this.body,
    );
    this.element = h("div", {}, this.empty, this.table);
    this.sync();
  }

  /** `fromList` marks a fetched record, which never overrides one an event already delivered. */
  upsert(agent: Agent, fromList = false): void {
    const known = this.rows.get(agent.id);
    if (known && fromList && (isFinished(known.agent) || !isFinished(agent))) return;
    const row = known ?? this.create(agent);
    row.agent = agent;
    this.fill(row);
    this.sync();
  }

  private create(agent: Agent): AgentRow {
    const output = h("pre");
    const created = { agent, row: h("tr", { "data-agent-id": agent.id }), output };
    created.row.append(
      ...Array.from({ length: 7 }, () => h("td")),
      h("td", {}, h("details", {}, h("summary", {}, "Output"), output)),
    );
    this.rows.set(agent.id, created);
    return created;
  }

  private fill({ agent, row, output }: AgentRow): void {
    const [type, where, by, state, started, ended, exit] = Array.from(row.cells);
    type?.replaceChildren(agent.agentType);
    where?.replaceChildren(this.where(agent));
    by?.replaceChildren(agent.actingUser ?? "");
    state?.replaceChildren(stateBadge(agent.status));
    started?.replaceChildren(timeOf(agent.startedAt));
    ended?.replaceChildren(timeOf(agent.endedAt));
    exit?.replaceChildren(agent.exitCode === null ? "" : String(agent.exitCode));
    output.textContent = agent.output ?? "";
  }

  private sync(): void {
    const ordered = [...this.rows.values()].sort((a, b) => b.agent.createdAt - a.agent.createdAt);
    this.body.replaceChildren(...ordered.map(({ row }) => row));
    this.empty.hidden = ordered.length > 0;
    this.table.hidden = ordered.length === 0;
  }
}
