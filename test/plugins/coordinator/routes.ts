// Every route of the coordinator plugin with a request that would succeed given the right credential,
// for suites that sweep all of them (auth, malformed input).

export interface RouteCase {
  method: string;
  /** `:job` and `:workspace` are filled in by the suite. */
  path: string;
  body?: unknown;
  /** Who may call it: a service with an API key, or a workspace member. */
  audience: "service" | "member";
}

export const ROUTES: RouteCase[] = [
  { method: "POST", path: "/coordinator/jobs", body: { workspaceId: ":workspace", type: "build" }, audience: "service" },
  { method: "PATCH", path: "/coordinator/jobs/:job/status", body: { status: "running" }, audience: "service" },
  { method: "PATCH", path: "/coordinator/jobs/:job/progress", body: { progress: 10 }, audience: "service" },
  { method: "POST", path: "/coordinator/jobs/:job/complete", body: { result: { ok: true } }, audience: "service" },
  { method: "POST", path: "/coordinator/jobs/:job/fail", body: { error: "boom" }, audience: "service" },
  { method: "GET", path: "/coordinator/jobs/:job", audience: "service" },
  { method: "GET", path: "/coordinator/health", audience: "service" },
  {
    method: "POST",
    path: "/stitcher/webhook",
    body: { workspaceId: ":workspace", event: "chat.command", data: { text: "hi" } },
    audience: "service",
  },
  { method: "POST", path: "/stitcher/dispatch", body: { workspaceId: ":workspace", type: "review" }, audience: "service" },
  { method: "GET", path: "/workspaces/:workspace/jobs", audience: "member" },
  { method: "GET", path: "/workspaces/:workspace/jobs/:job", audience: "member" },
];

export const fill = (text: string, ids: { job: string; workspace: string }) =>
  text.replaceAll(":job", ids.job).replaceAll(":workspace", ids.workspace);

export const fillBody = (body: unknown, ids: { job: string; workspace: string }): unknown =>
  body === undefined ? undefined : JSON.parse(fill(JSON.stringify(body), ids));
