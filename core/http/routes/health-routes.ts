// Liveness, readiness (database, Redis when configured, every plugin) and Prometheus metrics.
import { Elysia } from "elysia";
import type { LoadedPlugin } from "../../plugins/load-plugins";

export type ReadinessCheck = () => Promise<{ ok: boolean; detail?: string }>;

export interface HealthDeps {
  checks: Record<string, ReadinessCheck>;
  plugins: () => readonly LoadedPlugin[];
  renderMetrics: () => string;
}

const CHECK_TIMEOUT_MS = 2000;

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
    const { health } = plugin.definition;
    return health && plugin.context ? health(plugin.context) : { ok: true };
  };

export const healthRoutes = ({ checks, plugins, renderMetrics }: HealthDeps) =>
  new Elysia({ name: "tessera-health" })
    .get("/healthz", () => ({ status: "ok" }), { detail: { summary: "Liveness", tags: ["operations"] } })
    .get(
      "/readyz",
      async ({ set }) => {
        const all: Record<string, ReadinessCheck> = { ...checks };
        for (const plugin of plugins()) all[`plugin:${plugin.name}`] = pluginCheck(plugin);
        const names = Object.keys(all);
        const results = await Promise.all(names.map((name) => settle(all[name] ?? (async () => ({ ok: false })))));
        const report = Object.fromEntries(names.map((name, i) => [name, results[i]]));
        const ready = results.every((result) => result.ok);
        set.status = ready ? 200 : 503;
        return { status: ready ? "ready" : "not ready", checks: report };
      },
      { detail: { summary: "Readiness of the database, Redis and every plugin", tags: ["operations"] } },
    )
    .get(
      "/metrics",
      ({ set }) => {
        set.headers["content-type"] = "text/plain; version=0.0.4; charset=utf-8";
        return renderMetrics();
      },
      { detail: { summary: "Prometheus metrics", tags: ["operations"] } },
    );
