// Builds a whole Tessera instance from config: database (migrated), shared services, auth, plugins and
// the HTTP app. Nothing listens yet; `serve` does that. A failure part-way closes what was opened.
import type { AnyElysia } from "elysia";
import pkg from "../../package.json";
import { type LoadedConfig, loadConfig } from "../config/load-config";
import { migrate } from "../db/migrate";
import { type Database, openDatabase } from "../db/open-database";
import { migratePlugins } from "../db/plugin-migrations";
import { clientAddressResolver } from "../http/client-address";
import { createHttpApp } from "../http/create-app";
import { routeBodyLimits } from "../http/route-body-limits";
import { type HealthDeps, healthRoutes, operationsAccess } from "../http/routes/health-routes";
import { openApiRoutes } from "../http/routes/openapi-routes";
import { workspaceRoutes } from "../http/routes/workspace-routes";
import { refreshAdminsOnChange } from "../identity/admin-identities";
import { type Auth, createAuth } from "../identity/auth";
import { findUserByIdentity } from "../identity/identities";
import { createLastSeenBatcher } from "../identity/last-seen";
import { sessionResolver } from "../identity/session-resolver";
import { getRole } from "../identity/workspaces";
import { warnAboutIsolation } from "../isolation/start-warnings";
import { createAccessLog } from "../log/access-log";
import { createLogger } from "../log/json-logger";
import { logLevelOverride } from "../log/log-level";
import type { Logger } from "../log/logger";
import { httpMetrics } from "../metrics/http-metrics";
import { processMetrics } from "../metrics/process-metrics";
import { Registry } from "../metrics/registry";
import { type LoadedPlugin, setupPlugins, startPlugins, stopPlugins } from "../plugins/load-plugins";
import type { PluginContext } from "../plugins/plugin-context";
import { scopedEnv } from "../plugins/scoped-env";
import { createScopedFetch } from "../plugins/scoped-fetch";
import { buildInfo } from "./build-info";
import { configBaseDir, configuredPlugins, disabledPlugins, isolationFor } from "./configured-plugins";
import { instanceIdFor } from "./instance-id";
import { createReloader } from "./reload";
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
  /** Run the plugins' setup (default); a CLI command only needs their contexts. */
  setup?: boolean;
  /** --log-level: over TESSERA_LOG_LEVEL and log.level, for the life of the process. */
  logLevel?: string;
  /** An open database to use instead of database.url (`check`'s private copy); closed with the runtime. */
  database?: Database;
}

export interface Runtime extends SharedServices {
  loaded: LoadedConfig;
  db: Database;
  auth: Auth;
  log: Logger;
  metrics: Registry;
  plugins: LoadedPlugin[];
  /** A plugin's ctx, as its setup gets it; for a CLI command when the runtime was built without setup. */
  contextOf(plugin: LoadedPlugin): PluginContext;
  /** Plugin specifiers present in config but not enabled. */
  disabled: string[];
  /** Core migrations applied by this runtime, then the plugins' as `plugin/name`. */
  migrations: string[];
  app: AnyElysia;
  /** The separate listener for /metrics and the detailed /readyz, when metrics.listen asks for one. */
  operations?: { app: AnyElysia; hostname: string; port: number };
  start(): Promise<void>;
  /**
   * Ends long-lived connections (plugins' onDrain: WebSockets, event streams), in reverse plugin order,
   * so that a server that stopped accepting can finish its in-flight requests. Safe twice.
   */
  drain(): Promise<void>;
  /** Drains, stops plugins in reverse order, flushes, closes shared services and the database. Safe twice. */
  stop(): Promise<void>;
  /** SIGHUP: reads the config file again and applies what can change without a restart; never throws. */
  reload(): Promise<void>;
}

/** `host:port` or `[v6]:port`, already checked against the config pattern. */
const listenAddress = (listen: string) => {
  const at = listen.lastIndexOf(":");
  return { hostname: listen.slice(0, at).replace(/^\[|\]$/g, ""), port: Number(listen.slice(at + 1)) };
};

export const createRuntime = async (options: RuntimeOptions = {}): Promise<Runtime> => {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const loaded = loadConfig({ file: options.file, env, cwd });
  const { config } = loaded;
  const fixedLevel = logLevelOverride(options.logLevel, env);
  const root = options.log ? undefined : createLogger({ level: fixedLevel ?? config.log.level });
  const log = options.log ?? root ?? createLogger();
  const baseDir = configBaseDir(loaded, cwd);
  const timeoutMs = options.pluginTimeoutMs ?? 10_000;

  const { url: databaseUrl, connectTimeoutMs, statementTimeoutMs } = config.database;
  const db =
    options.database ?? (await openDatabase(databaseUrl, { cwd: baseDir, deadlines: { connectTimeoutMs, statementTimeoutMs } }));
  const closers: (() => Promise<unknown>)[] = [() => db.close()];
  const drains: (() => void | Promise<void>)[] = [];
  const runAll = async (steps: (() => unknown)[]) => {
    for (const step of steps.reverse()) {
      await Promise.resolve()
        .then(step)
        .catch((error: unknown) => log.error("shutdown step failed", { error }));
    }
  };
  let draining: Promise<void> | undefined;
  const drain = () => {
    draining ??= runAll(drains.splice(0));
    return draining;
  };
  const closeAll = async () => {
    await drain();
    await runAll(closers.splice(0));
  };

  try {
    const migrations = options.migrate === false ? [] : await migrate(db);
    // `check` sets plugins up on a private copy: an isolated plugin's own database is a scratch one there too.
    const isolation = isolationFor(loaded, cwd, { env, log, databaseUrl: options.database ? "sqlite::memory:" : undefined });
    await isolation.endLeftovers();
    const plugins = await configuredPlugins(loaded, cwd, isolation);
    // Said where plugins run (serve, check), not by every CLI command that only lists them.
    if (options.setup !== false) warnAboutIsolation(plugins, log);
    if (options.migrate !== false) {
      migrations.push(...(await migratePlugins(db, plugins)));
    }
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
    const stopProcessMetrics = processMetrics(metrics, { version: pkg.version, commit: buildInfo.commit });
    closers.push(async () => stopProcessMetrics());
    const auth = createAuth({
      admins: config.admins,
      roleOf: (workspaceId, userId) => getRole(db, workspaceId, userId),
      userOfIdentity: (issuer, subject) => findUserByIdentity(db, issuer, subject),
    });
    await auth.refreshAdmins();
    const sessions = sessionCacheFor(db, config, log);
    closers.push(() => sessions.close());
    closers.push(refreshAdminsOnChange(db, sessions.changes, auth, log));
    auth.register(
      "session",
      sessionResolver(sessions.cache.find, auth.isAdmin, (id) => lastSeen.touch(id)),
      0,
    );

    // A reload replaces the admins; plugins read them through the getter, so they see the new list.
    let admins = config.admins;
    const instance = {
      publicUrl: config.server.publicUrl,
      allowedOrigins: config.server.allowedOrigins,
      trustProxy: config.server.trustProxy,
      get admins() {
        return admins;
      },
      baseDir,
      redisUrl: config.redis?.url,
      instanceId: instanceIdFor(config.server.instanceId, options.port ?? config.server.port),
    };
    const clientAddress = clientAddressResolver(config.server.trustProxy);
    const contextOf = (plugin: LoadedPlugin): PluginContext => ({
      name: plugin.name,
      config: plugin.config,
      instance,
      env: scopedEnv(plugin.specifier, plugin.grants.env, env),
      fetch: createScopedFetch(plugin.specifier, plugin.grants.net),
      clientAddress,
      db,
      events: shared.events,
      limits: shared.limits,
      once: shared.once,
      slots: shared.slots,
      log: log.child({ plugin: plugin.name }),
      metrics,
      auth,
      identityChanges: sessions.changes,
      onStop: (cleanup) => plugin.cleanups.push(cleanup),
      onDrain: (end) => drains.push(end),
    });
    closers.push(() => stopPlugins(plugins, timeoutMs, log));
    if (options.setup !== false) await setupPlugins(plugins, { context: contextOf, timeoutMs, log });

    const http = httpMetrics(metrics);
    const accessLog = createAccessLog({ enabled: config.log.access, principalOf: auth.peek });
    const health: Omit<HealthDeps, "access"> = {
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
    };
    const httpOptions = {
      log,
      metrics: http,
      bodyLimit: config.server.bodyLimit,
      allowedOrigins: config.server.allowedOrigins,
      maxJsonDepth: config.server.maxJsonDepth,
      requestTimeoutMs: config.server.requestTimeoutMs,
      accessLog,
      routeLimits: routeBodyLimits(),
    };
    const operations = config.metrics.listen
      ? {
          ...listenAddress(config.metrics.listen),
          app: createHttpApp(httpOptions).use(healthRoutes({ ...health, access: operationsAccess(config.metrics, "metrics") })),
        }
      : undefined;
    let app: AnyElysia = createHttpApp(httpOptions)
      .use(healthRoutes({ ...health, access: operationsAccess(config.metrics, "public") }))
      .use(workspaceRoutes(db, auth, shared.events));
    for (const plugin of plugins) {
      for (const limit of plugin.parts?.bodyLimits ?? []) httpOptions.routeLimits.add(limit);
      const routes = plugin.parts?.routes;
      if (!routes) continue;
      app = app.use(routes);
      // Bun applies WebSocket options (frame size, idle timeout, backpressure) to the whole server and
      // Elysia reads them only from the root app's config, so a plugin's own are carried over.
      const websocket = routes.config.websocket;
      if (websocket) app.config.websocket = { ...app.config.websocket, ...websocket };
    }
    app = app.use(openApiRoutes());

    let stopping: Promise<void> | undefined;
    return {
      loaded,
      db,
      ...shared,
      auth,
      log,
      metrics,
      plugins,
      contextOf,
      disabled: disabledPlugins(loaded),
      migrations,
      app,
      operations,
      start: () => startPlugins(plugins, timeoutMs, log),
      reload: createReloader({
        loaded,
        load: () => loadConfig({ file: loaded.file, env, cwd }),
        plugins: (next) => configuredPlugins(next, cwd, isolation),
        running: plugins,
        auth: {
          setAdmins: (entries) => {
            admins = [...entries];
            return auth.setAdmins(entries);
          },
        },
        log,
        setLevel: root && fixedLevel === undefined ? root.setLevel : undefined,
        accessLog,
      }),
      drain,
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
