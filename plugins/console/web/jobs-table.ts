// The live jobs table: one row per job, updated in place as events arrive (so a progress bar moves
// rather than the table being redrawn), newest first. An event older than what a row shows is ignored.
import { h, stateBadge, timeOf } from "./dom";
import type { Job } from "./records";

interface JobRow {
  job: Job;
  row: HTMLTableRowElement;
}

const jobName = (job: Job) => job.title ?? job.type;

const cells = (job: Job): HTMLTableCellElement[] => [
  h("td", {}, h("span", { class: "job-title" }, jobName(job)), h("br"), h("span", { class: "muted" }, job.type)),
  h("td", {}, stateBadge(job.status)),
  h(
    "td",
    { class: "progress" },
    h("progress", { max: 100, value: job.progress, "aria-label": `Progress of ${jobName(job)}` }),
    " ",
    h("span", { class: "percent" }, `${job.progress} %`),
  ),
  h("td", {}, job.error ?? job.message ?? ""),
  h("td", {}, timeOf(job.createdAt)),
  h("td", {}, timeOf(job.updatedAt)),
];

export class JobsTable {
  readonly element: HTMLElement;
  private readonly body = h("tbody");
  private readonly empty = h("p", { class: "muted" }, "No jobs yet. Jobs the coordinator posts appear here as they happen.");
  private readonly rows = new Map<string, JobRow>();
  private readonly table: HTMLTableElement;

  constructor() {
    this.table = h(
      "table",
      { "aria-label": "Jobs" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...["Job", "State", "Progress", "Message", "Created", "Updated"].map((title) => h("th", { scope: "col" }, title)),
        ),
      ),
      this.body,
    );
    this.element = h("div", {}, this.empty, this.table);
    this.sync();
  }

  upsert(job: Job): void {
    const known = this.rows.get(job.id);
    if (known && known.job.updatedAt > job.updatedAt) return;
    if (known) {
      known.job = job;
      known.row.replaceChildren(...cells(job));
    } else {
      const row = h("tr", { "data-job-id": job.id }, ...cells(job));
      this.rows.set(job.id, { job, row });
    }
    this.sync();
  }

  private sync(): void {
    const ordered = [...this.rows.values()].sort((a, b) => b.job.createdAt - a.job.createdAt);
    this.body.replaceChildren(...ordered.map(({ row }) => row));
    this.empty.hidden = ordered.length > 0;
    this.table.hidden = ordered.length === 0;
  }
}
