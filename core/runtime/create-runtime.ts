// Builds a whole Tessera instance from config: database (migrated), shared services, auth, plugins and
// the HTTP app. Nothing listens yet; `serve` does that. A failure part-way closes what was opened.
import { dirname } from "node:path";
import type { AnyElysia } from "elysia";
import { type LoadedConfig, loadConfig, validatePluginConfig } from "../config/load-config";
import { migrate } from "../db/migrate";
import { type Database, openDatabase } from "../db/open-database";
import { createHttpApp } from "../http/create-app";
import { healthRoutes } from "../http/routes/health-routes";
import { openApiRoutes } from "../http/routes/openapi-routes";
import { workspaceRoutes } from "../http/routes/workspace-routes";
import { type Auth, createAuth } from "../identity/auth";
import { createLastSeenBatcher } from "../identity/last-seen";
import { sessionResolver } from "../identity/session-resolver";
import { getRole } from "../identity/workspaces";
import { createLogger } from "../log/json-logger";
import type { Logger } from "../log/logger";
import { httpMetrics } from "../metrics/http-metrics";
import { Registry } from "../metrics/registry";
import { type LoadedPlugin, loadPlugins, startPlugins, stopPlugins } from "../plugins/load-plugins";
import { scopedEnv } from "../plugins/scoped-env";
import { createScopedFetch } from "../plugins/scoped-fetch";
import { instanceIdFor } from "./instance-id";
import { sessionCacheFor } from "./session-cache-for";
import { createSharedServices, type SharedServices } from "./shared-services";

export interface RuntimeOptions {
  file?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  log?: Logger;
  /** Per plugin, for setup, start and stop. */
  pluginTimeoutMs?: number;
  /** Apply pending migrations (default); `check` only looks. */
  migrate?: boolean;
  /** The port `serve` will listen on when the command line overrides server.port. */
  port?: number;
}

export interface Runtime extends SharedServices {
  loaded: LoadedConfig;
  db: Database;
  auth: Auth;
  log: Logger;
  metrics: Registry;
  plugins: LoadedPlugin[];
  /** Plugin specifiers present in config but not enabled. */
  disabled: string[];
  migrations: string[];
  app: AnyElysia;
  start(): Promise<void>;
  /** Stops plugins in reverse order, flushes, closes shared services and the database. Safe twice. */
  stop(): Promise<void>;
}

export const createRuntime = async (options: RuntimeOptions = {}): Promise<Runtime> => {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const loaded = loadConfig({ file: options.file, env, cwd });
  const { config } = loaded;
  const log = options.log ?? createLogger({ level: config.log.level });
  const baseDir = loaded.file ? dirname(loaded.file) : cwd;
  const timeoutMs = options.pluginTimeoutMs ?? 10_000;

  const db = await openDatabase(config.database.url, { cwd: baseDir });
  const closers: (() => Promise<unknown>)[] = [() => db.close()];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) {
      await close().catch((error: unknown) => log.error("shutdown step failed", { error }));
    }
  };

  try {
    const migrations = options.migrate === false ? [] : await migrate(db);
    const shared = createSharedServices(config, log);
    closers.push(
      () => shared.events.close(),
      () => shared.limits.close(),
      () => shared.once.close(),
      () => shared.slots.close(),
    );
    const lastSeen = createLastSeenBatcher(db, { onError: (error) => log.warn("session last-seen flush failed", { error }) });
    closers.push(() => lastSeen.close());

    const metrics = new Registry({ onCollectError: (name, error) => log.warn("metric collection failed", { name, error }) });
    const auth = createAuth({ admins: config.admins, roleOf: (workspaceId, userId) => getRole(db, workspaceId, userId) });
    const sessions = sessionCacheFor(db, config, log);
    closers.push(() => sessions.close());
    auth.register(
      "session",
      sessionResolver(sessions.cache.find, auth.isAdmin, (id) => lastSeen.touch(id)),
      0,
    );

    const instance = {
      publicUrl: config.server.publicUrl,
      allowedOrigins: config.server.allowedOrigins,
      trustProxy: config.server.trustProxy,
      admins: config.admins,
      baseDir,
      redisUrl: config.redis?.url,
      instanceId: instanceIdFor(config.server.instanceId, options.port ?? config.server.port),
    };
    const plugins = await loadPlugins({
      sections: config.plugins,
      baseDir,
      timeoutMs,
      log,
      validate: (definition, specifier, section) =>
        validatePluginConfig({ name: specifier, config: definition.config }, loaded, section),
      context: (plugin) => ({
        name: plugin.name,
        config: plugin.config,
        instance,
        env: scopedEnv(plugin.specifier, plugin.grants.env, env),
        fetch: createScopedFetch(plugin.specifier, plugin.grants.net),
        db,
        events: shared.events,
        limits: shared.limits,
        once: shared.once,
        slots: shared.slots,
        log: log.child({ plugin: plugin.name }),
        metrics,
        auth,
        onStop: (cleanup) => plugin.cleanups.push(cleanup),
      }),
    });
    closers.push(() => stopPlugins(plugins, timeoutMs, log));

    const http = httpMetrics(metrics);
    let app: AnyElysia = createHttpApp({ log, metrics: http, bodyLimit: config.server.bodyLimit })
      .use(
        healthRoutes({
          checks: {
            database: async () => ({ ok: await db.ping((error) => log.warn("database ping failed", { error })) }),
            ...(config.redis
              ? {
                  events: async () => ({ ok: await shared.events.ready() }),
                  limits: async () => ({ ok: await shared.limits.ready() }),
                }
              : {}),
          },
          plugins: () => plugins,
          renderMetrics: () => metrics.render(),
        }),
      )
      .use(workspaceRoutes(db, auth, shared.events));
    for (const plugin of plugins) {
      if (!plugin.app) continue;
      app = app.use(plugin.app);
      // Bun applies WebSocket options (frame size, idle timeout, backpressure) to the whole server and
      // Elysia reads them only from the root app's config, so a plugin's own are carried over.
      const websocket = plugin.app.config.websocket;
      if (websocket) app.config.websocket = { ...app.config.websocket, ...websocket };
    }
    app = app.use(openApiRoutes());

    const disabled = Object.entries(config.plugins)
      .filter(([, section]) => !section.enabled)
      .map(([specifier]) => specifier);

    let stopping: Promise<void> | undefined;
    return {
      loaded,
      db,
      ...shared,
      auth,
      log,
      metrics,
      plugins,
      disabled,
      migrations,
      app,
      start: () => startPlugins(plugins, timeoutMs, log),
      stop: () => {
        stopping ??= closeAll();
        return stopping;
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
};
