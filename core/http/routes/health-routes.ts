// Liveness, readiness (database, Redis when configured, every plugin) and Prometheus metrics.
// /metrics names API keys and the detailed /readyz says what is failing inside, so both are served
// only to a bearer of metrics.token or on the separate metrics listener; anyone else gets /readyz's
// status alone.
import { createHash, timingSafeEqual } from "node:crypto";
import { Elysia, t } from "elysia";
import { notFound, unauthenticated } from "../../errors/tessera-error";
import type { LoadedPlugin } from "../../plugins/load-plugins";
import { responses } from "../problem-schema";

export type ReadinessCheck = () => Promise<{ ok: boolean; detail?: string }>;

/**
 * Who gets /metrics and the detailed /readyz: nobody (the public listener when no token is set, or when a
 * separate listener takes them), a bearer of the token, or anyone (the separate listener without a token).
 */
export type OperationsAccess = { kind: "closed" } | { kind: "token"; token: string } | { kind: "open" };

export interface HealthDeps {
  checks: Record<string, ReadinessCheck>;
  plugins: () => readonly LoadedPlugin[];
  renderMetrics: () => string;
  access: OperationsAccess;
}

/** The access on one listener, from the metrics config block. */
export const operationsAccess = (
  metrics: { token?: string; listen?: string },
  listener: "public" | "metrics",
): OperationsAccess => {
  if (listener === "public" && metrics.listen) return { kind: "closed" };
  if (metrics.token) return { kind: "token", token: metrics.token };
  return listener === "metrics" ? { kind: "open" } : { kind: "closed" };
};

const Check = t.Object({ ok: t.Boolean(), detail: t.Optional(t.String()) });
const Readiness = t.Object({
  status: t.Union([t.Literal("ready"), t.Literal("not_ready")]),
  checks: t.Optional(t.Record(t.String(), Check, { description: "With the metrics token only" })),
});

const CHECK_TIMEOUT_MS = 2000;
const CHALLENGE = { "WWW-Authenticate": 'Bearer realm="metrics"' };

const settle = async (check: ReadinessCheck): Promise<{ ok: boolean; detail?: string }> => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<{ ok: boolean; detail: string }>((done) => {
    timer = setTimeout(() => done({ ok: false, detail: `no answer within ${CHECK_TIMEOUT_MS} ms` }), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check(), timeout]);
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
};

const pluginCheck =
  (plugin: LoadedPlugin): ReadinessCheck =>
  async () => {
    if (plugin.state !== "started") return { ok: false, detail: plugin.state };
    const health = plugin.parts?.health;
    return health ? health() : { ok: true };
  };

const digest = (text: string) => createHash("sha256").update(text).digest();

/**
 * Whether this request may see the operational detail: "granted", "anonymous" (no credentials sent) or
 * a 401 thrown for a wrong token. Digests are compared so that neither content nor length leaks by timing.
 */
const authorizer = (access: OperationsAccess) => {
  const expected = access.kind === "token" ? digest(access.token) : undefined;
  return (request: Request): "granted" | "anonymous" => {
    if (access.kind === "open") return "granted";
    const header = request.headers.get("authorization");
    if (!expected || header === null) return "anonymous";
    const [scheme = "", ...rest] = header.trim().split(/\s+/);
    if (scheme.toLowerCase() === "bearer" && rest.length === 1 && timingSafeEqual(digest(rest[0] ?? ""), expected)) {
      return "granted";
    }
    throw unauthenticated("The metrics token is wrong", { headers: CHALLENGE });
  };
};

export const healthRoutes = ({ checks, plugins, renderMetrics, access }: HealthDeps) => {
  const authorize = authorizer(access);
  return new Elysia({ name: "tessera-health" })
    .get("/healthz", () => ({ status: "ok" }), {
      detail: {
        summary: "Liveness",
        tags: ["operations"],
        security: [],
        responses: responses({ 200: t.Object({ status: t.Literal("ok") }) }),
      },
    })
    .get(
      "/readyz",
      async ({ request, set }) => {
        const detailed = authorize(request) === "granted";
        const all: Record<string, ReadinessCheck> = { ...checks };
        for (const plugin of plugins()) all[`plugin:${plugin.name}`] = pluginCheck(plugin);
        const names = Object.keys(all);
        const results = await Promise.all(names.map((name) => settle(all[name] ?? (async () => ({ ok: false })))));
        const ready = results.every((result) => result.ok);
        set.status = ready ? 200 : 503;
        const status = ready ? "ready" : "not_ready";
        if (!detailed) return { status };
        return { status, checks: Object.fromEntries(names.map((name, i) => [name, results[i]])) };
      },
      {
        detail: {
          summary: "Readiness of the database, Redis and every plugin",
          description:
            "The status alone; with the metrics bearer token (or on the metrics listener), every check and why it fails.",
          tags: ["operations"],
          security: [{}, { metricsToken: [] }],
          responses: responses({ 200: Readiness, 503: t.Composite([Readiness], { description: "Not ready" }) }, 401),
        },
      },
    )
    .get(
      "/metrics",
      ({ request, set }) => {
        // Indistinguishable from a route that does not exist: nothing here is for the public.
        if (access.kind === "closed") throw notFound("No route for GET /metrics");
        if (authorize(request) !== "granted") {
          throw unauthenticated("Send the metrics token as a bearer token", { headers: CHALLENGE });
        }
        set.headers["content-type"] = "text/plain; version=0.0.4; charset=utf-8";
        return renderMetrics();
      },
      {
        detail: {
          summary: "Prometheus metrics",
          description:
            "Needs metrics.token as a bearer token, or is served on the separate metrics.listen listener; 404 when neither is configured.",
          security: [{ metricsToken: [] }],
          tags: ["operations"],
          responses: responses({ 200: { description: "Prometheus text format", body: { "text/plain": t.String() } } }, 401, 404),
        },
      },
    );
};
