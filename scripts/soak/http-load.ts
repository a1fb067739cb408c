// The soak's HTTP load at a steady rate: coordinator jobs driven through their lifecycle with the API key
// (create, running, progress, complete: each publishes an event to the job's workspace), and a session's
// GET /me, alternating between the instances. A request that fails or answers non-2xx is an error.

export interface HttpLoadOptions {
  urls: string[];
  apiKey: string;
  sessionTokens: string[];
  workspaces: string[];
  requestsPerSecond: number;
  lanes: number;
  /** Send time of each event-publishing request, by `title event`, read by the socket probes. */
  sentAt: Map<string, number>;
  /** A job change was accepted: its event is owed to every socket in the workspace's room. */
  onPublished(workspaceId: string): void;
}

export interface HttpWindow {
  requests: number;
  /** Latency of every answered request since the last call, in ms. */
  latencies: number[];
}

export interface HttpLoad {
  take(): HttpWindow;
  /** Errors so far, by `METHOD route status` (status 0: no answer). */
  errors: Map<string, number>;
  /** The first answer of each kind of error, for the report. */
  examples: Map<string, string>;
  stop(): Promise<void>;
}

const REQUEST_TIMEOUT_MS = 10_000;
/** A lane that fell further behind than this skips the missed slots instead of bursting to catch up. */
const MAX_LAG_MS = 1000;

type Step = { method: string; route: string; path: (jobId: string) => string; body: unknown; event: string };

const JOB_STEPS: Step[] = [
  {
    method: "PATCH",
    route: "/coordinator/jobs/:id/status",
    path: (id) => `/coordinator/jobs/${id}/status`,
    body: { status: "running" },
    event: "job.status",
  },
  {
    method: "PATCH",
    route: "/coordinator/jobs/:id/progress",
    path: (id) => `/coordinator/jobs/${id}/progress`,
    body: { progress: 50 },
    event: "job.progress",
  },
  {
    method: "POST",
    route: "/coordinator/jobs/:id/complete",
    path: (id) => `/coordinator/jobs/${id}/complete`,
    body: { result: { ok: true } },
    event: "job.completed",
  },
];

export const startHttpLoad = (options: HttpLoadOptions): HttpLoad => {
  const { urls, workspaces, sentAt } = options;
  const errors = new Map<string, number>();
  const examples = new Map<string, string>();
  const interval = 1000 / options.requestsPerSecond;
  let nextAt = performance.now();
  let requests = 0;
  let latencies: number[] = [];
  let turn = 0;
  let stopped = false;

  /** Waits for this request's slot in the steady schedule shared by all lanes. */
  const slot = async () => {
    const now = performance.now();
    const at = Math.max(nextAt, now - MAX_LAG_MS);
    nextAt = at + interval;
    if (at > now) await Bun.sleep(at - now);
  };

  /**
   * One request on the next instance in turn; the parsed body, or undefined after counting an error.
   * `eventKey` names the event it publishes, timed from when the request goes out.
   */
  const send = async (
    method: string,
    route: string,
    path: string,
    headers: Record<string, string>,
    body?: unknown,
    eventKey?: string,
  ) => {
    await slot();
    if (stopped) return undefined;
    if (eventKey) sentAt.set(eventKey, performance.now());
    const url = `${urls[turn++ % urls.length]}${path}`;
    const started = performance.now();
    let status = 0;
    let detail = "";
    try {
      const response = await fetch(url, {
        method,
        headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      status = response.status;
      const text = await response.text();
      if (response.ok) {
        requests++;
        latencies.push(performance.now() - started);
        return JSON.parse(text) as { id?: string };
      }
      detail = text.slice(0, 300);
    } catch (error) {
      detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    const kind = `${method} ${route} ${status}`;
    errors.set(kind, (errors.get(kind) ?? 0) + 1);
    if (!examples.has(kind)) examples.set(kind, detail);
    return undefined;
  };

  let sequence = 0;
  const lane = async () => {
    const service = { "x-api-key": options.apiKey };
    while (!stopped) {
      const n = sequence++;
      const workspaceId = workspaces[n % workspaces.length] ?? "";
      const title = `soak-${n}`;
      const job = await send(
        "POST",
        "/coordinator/jobs",
        "/coordinator/jobs",
        service,
        { workspaceId, type: "soak", title },
        `${title} job.created`,
      );
      if (job?.id) {
        options.onPublished(workspaceId);
        for (const step of JOB_STEPS) {
          if (!(await send(step.method, step.route, step.path(job.id), service, step.body, `${title} ${step.event}`))) break;
          options.onPublished(workspaceId);
        }
      }
      const token = options.sessionTokens[n % options.sessionTokens.length] ?? "";
      await send("GET", "/me", "/me", { authorization: `Bearer ${token}` });
    }
  };
  const running = Promise.all(Array.from({ length: options.lanes }, lane));

  return {
    take() {
      const window = { requests, latencies };
      requests = 0;
      latencies = [];
      return window;
    },
    errors,
    examples,
    async stop() {
      stopped = true;
      await running;
    },
  };
};
