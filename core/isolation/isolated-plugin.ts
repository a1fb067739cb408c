// An isolated plugin as the loader sees it. Its module is never imported here: a short-lived child
// answers `define` and `configure` (so the loader can order, name and check it like any plugin), and the
// definition's setup starts the long-lived child under a Supervisor, with forwarding routes in the core.
import { realpathSync } from "node:fs";
import { isAbsolute, relative } from "node:path";
import { Type } from "@sinclair/typebox";
import { Elysia } from "elysia";
import { configError, issueAt } from "../config/config-issue";
import { isRecord, parsePath } from "../config/json-path";
import type { ConfigSource } from "../config/source";
import { isTesseraError, TesseraError } from "../errors/tessera-error";
import { bodyTooLarge } from "../http/capped-body";
import type { Grants, PluginDefinition, PluginParts } from "../plugins/define-plugin";
import type { PluginContext } from "../plugins/plugin-context";
import type { PluginFiles } from "../plugins/resolve-plugin";
import { spawnChild } from "./child-process";
import { openPluginDatabase, type PluginDatabase } from "./database/plugin-database";
import { childCommand, childEnv } from "./deno-flags";
import { forwarder } from "./forward-request";
import type { IsolationHost } from "./isolation-host";
import { serveLog } from "./services/log";
import { paramsOf } from "./services/params";
import { Supervisor } from "./supervisor";
import type { ConfigureResult, DefineResult } from "./wire/protocol";

const DESCRIBE_TIMEOUT_MS = 10_000;

export interface IsolatedSpec {
  specifier: string;
  files: PluginFiles;
  grants: Grants;
  memoryMb: number;
  /** The plugin's own keys of its config section (the core's removed). */
  section: Record<string, unknown>;
  /** Config paths set from the environment. */
  secretPaths: string[];
  /** The config file, to place config errors at their line. */
  source?: ConfigSource;
}

export interface IsolatedPlugin {
  definition: PluginDefinition;
  config: unknown;
  /** The child's argv, as `tessera check` prints it. */
  command: string[];
  /** Commands the plugin declares, not run while it is isolated. */
  commands: string[];
}

const defineResult = paramsOf(
  "define",
  Type.Object({
    name: Type.String({ minLength: 1, maxLength: 100 }),
    version: Type.String({ maxLength: 100 }),
    requires: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100 }),
    migrations: Type.Optional(Type.Object({ sqlite: Type.String(), postgres: Type.String() })),
    commands: Type.Array(Type.String({ maxLength: 200 }), { maxItems: 100 }),
  }),
);

const invalid = (spec: IsolatedSpec, message: string) =>
  new TesseraError("ERR_PLUGIN_INVALID", `Plugin "${spec.specifier}": ${message}`, { path: `plugins.${spec.specifier}` });

const inside = (folder: string, path: string) => {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return false;
  }
  const rel = relative(folder, real);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
};

const checkMigrations = (spec: IsolatedSpec, define: DefineResult) => {
  if (!define.migrations) return;
  for (const folder of [define.migrations.sqlite, define.migrations.postgres]) {
    if (!inside(spec.files.folder, folder)) {
      throw invalid(spec, `its migrations folder ${folder} is not inside its own folder ${spec.files.folder}`);
    }
  }
};

const isIssue = (value: unknown): value is { path: string; message: string } =>
  isRecord(value) && typeof value.path === "string" && typeof value.message === "string";

// The child checks the section without the config file (it must not see the rest of it), so its issues
// name paths only; placed at their lines here, they read as an in-process plugin's do.
const locatedConfigError = (error: unknown, source: ConfigSource | undefined): unknown => {
  if (!isTesseraError(error) || error.code !== "ERR_CONFIG_INVALID" || !source) return error;
  const listed = error.details?.errors;
  if (!Array.isArray(listed) || listed.length === 0 || !listed.every(isIssue)) return error;
  const issues = listed.map(({ path, message }) => {
    const segments = parsePath(path);
    return segments ? issueAt(source, segments, message) : { path, message };
  });
  return configError("ERR_CONFIG_INVALID", issues, source);
};

/** Starts a child just long enough to learn the plugin's definition and check its config section. */
export const describeIsolated = async (host: IsolationHost, spec: IsolatedSpec): Promise<IsolatedPlugin> => {
  const command = childCommand({
    deno: host.deno().path,
    kit: host.kit(),
    plugin: { specifier: spec.specifier, ...spec.files },
    grants: spec.grants,
    memoryMb: spec.memoryMb,
  });
  const log = host.log.child({ plugin: spec.specifier });
  const child = await spawnChild({
    command,
    env: childEnv(spec.grants.env, host.env, host.denoDir),
    cwd: host.kit().cwd,
    log,
    records: host.records,
    specifier: spec.specifier,
    serve: (channel) => serveLog(channel, spec.specifier, log),
  });
  try {
    const define = defineResult(await child.channel.call("define", null, DESCRIBE_TIMEOUT_MS));
    checkMigrations(spec, define);
    const { config } = (await child.channel
      .call("configure", { specifier: spec.specifier, section: spec.section, secretPaths: spec.secretPaths }, DESCRIBE_TIMEOUT_MS)
      .catch((error: unknown) => {
        throw locatedConfigError(error, spec.source);
      })) as ConfigureResult;
    const definition: PluginDefinition = {
      name: define.name,
      version: define.version,
      requires: define.requires,
      // Checked in the child against the plugin's own schema: nothing for the core to check here.
      config: Type.Unknown(),
      setup: (ctx) => setupIsolated(host, spec, command, define, ctx),
    };
    return { definition, config, command, commands: define.commands };
  } finally {
    await child.end(0);
  }
};

const setupIsolated = async (
  host: IsolationHost,
  spec: IsolatedSpec,
  command: string[],
  define: DefineResult,
  ctx: PluginContext,
): Promise<PluginParts> => {
  const db: PluginDatabase | undefined = define.migrations
    ? await openPluginDatabase({
        ...host.database,
        plugin: define.name,
        migrations: define.migrations,
        log: ctx.log,
      })
    : undefined;
  const restarts = ctx.metrics.counter({
    name: "tessera_isolated_plugin_restarts_total",
    help: "Restarts of isolated plugins' children after they exited or broke the protocol.",
    labelNames: ["plugin"],
  });
  const supervisor = new Supervisor({
    host,
    specifier: spec.specifier,
    command,
    grants: spec.grants,
    ctx,
    db,
    restarts: restarts.labels(define.name),
  });
  ctx.onStop(() => supervisor.close());
  const setup = await supervisor.boot();
  const { forward, drain } = forwarder({
    channel: () => supervisor.channel(),
    unavailable: () => supervisor.unavailable(),
    inFlight: supervisor.inFlight,
    clientAddress: ctx.clientAddress,
    origin: new URL(ctx.instance.publicUrl).origin,
  });
  ctx.onDrain(drain);
  const routes = new Elysia();
  for (const { method, path } of setup.routes) {
    routes.route(method, path, ({ request, set, server }) => forward(request, set, server), { parse: "none" });
  }
  return {
    routes,
    start: () => supervisor.start(),
    health: () => supervisor.health(),
    ...(setup.has.reload ? { reload: (config: unknown) => supervisor.reload(config) } : {}),
    bodyLimits: setup.bodyLimits.map(({ path, bytes }) => ({ path, bytes, refuse: () => bodyTooLarge(bytes) })),
  };
};
