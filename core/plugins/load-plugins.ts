// Resolves the enabled plugins, validates their config and orders them by `requires`; runs `setup` with a
// context scoped to their grants, then the parts setup returned. A failure part-way cleans up what was set up.
// An isolated plugin is described by its own child (core/isolation/): its module is never imported here.
import type { AnyElysia } from "elysia";
import { ownSection } from "../config/load-config";
import { DEFAULT_MEMORY_MB, type Isolation } from "../config/plugin-isolation";
import type { ConfigSource } from "../config/source";
import { PermissionDenied } from "../errors/permission-denied";
import { isTesseraError, TesseraError } from "../errors/tessera-error";
import { describeIsolated } from "../isolation/isolated-plugin";
import type { IsolationHost } from "../isolation/isolation-host";
import type { Logger } from "../log/logger";
import { isBuiltIn } from "./built-in-plugins";
import { checkParts } from "./check-parts";
import type { Grants, PluginDefinition, PluginParts } from "./define-plugin";
import { mergeGrants, routeAllowed } from "./grants";
import { orderPlugins } from "./order-plugins";
import type { PluginContext } from "./plugin-context";
import { locatePluginFiles, resolvePlugin } from "./resolve-plugin";
import { withTimeout } from "./with-timeout";

export type PluginState = "set up" | "started" | "stopped" | "failed";

export interface LoadedPlugin {
  /** The key in `plugins` (a built-in name, a path or a package). */
  specifier: string;
  name: string;
  version: string;
  requires: string[];
  definition: PluginDefinition;
  config: unknown;
  grants: Grants;
  /** What setup returned. */
  parts?: PluginParts;
  /** The ctx given to setup. */
  context?: PluginContext;
  routes: { method: string; path: string }[];
  state: PluginState;
  cleanups: (() => void | Promise<void>)[];
  isolation: Isolation;
  /** With isolation "process": the child's command line, and the commands it declares (not run while isolated). */
  isolated?: { command: string[]; commands: string[] };
}

export interface PluginSection {
  enabled: boolean;
  permissions?: Partial<Grants>;
  isolation?: Isolation;
  memoryMb?: number;
  [key: string]: unknown;
}

export interface LoadOptions {
  sections: Record<string, PluginSection>;
  baseDir: string;
  validate: (definition: PluginDefinition, specifier: string, section: PluginSection) => unknown;
  context: (plugin: LoadedPlugin) => PluginContext;
  timeoutMs: number;
  log: Logger;
  /** Runs the plugins whose section says `"isolation": "process"` (needed only when one does). */
  isolation?: IsolationHost;
  /** Config paths set from the environment, which an isolated plugin's child converts and never shows. */
  secretPaths?: ReadonlySet<string>;
  /** The config file, to place an isolated plugin's config errors at their line. */
  source?: ConfigSource;
}

export type DefineOptions = Pick<LoadOptions, "sections" | "baseDir" | "validate" | "isolation" | "secretPaths" | "source">;

interface Defined {
  definition: PluginDefinition;
  config: unknown;
  grants: Grants;
  isolated?: LoadedPlugin["isolated"];
}

const defineOne = async (specifier: string, section: PluginSection, options: DefineOptions): Promise<Defined> => {
  if (section.isolation === "process") {
    if (!options.isolation)
      throw new TesseraError("ERR_INTERNAL", `Plugin "${specifier}" is isolated but nothing runs isolated plugins here`);
    const grants = mergeGrants(section.permissions);
    const described = await describeIsolated(options.isolation, {
      specifier,
      files: locatePluginFiles(specifier, options.baseDir),
      grants,
      memoryMb: section.memoryMb ?? DEFAULT_MEMORY_MB,
      section: ownSection(section),
      secretPaths: [...(options.secretPaths ?? [])],
      source: options.source,
    });
    const { definition, config, command, commands } = described;
    return { definition, config, grants, isolated: { command, commands } };
  }
  const definition = await resolvePlugin(specifier, options.baseDir);
  if (isBuiltIn(specifier) && definition.name !== specifier) {
    throw new TesseraError("ERR_PLUGIN_INVALID", `Built-in plugin "${specifier}" names itself "${definition.name}"`);
  }
  const config = options.validate(definition, specifier, section);
  const derived = isBuiltIn(specifier) && definition.permissions ? definition.permissions(config as never) : undefined;
  return { definition, config, grants: mergeGrants(derived, section.permissions) };
};

/** The enabled plugins, imported, their config validated, in dependency order; nothing is set up. */
export const definePlugins = async (options: DefineOptions): Promise<LoadedPlugin[]> => {
  const loaded: LoadedPlugin[] = [];
  for (const [specifier, section] of Object.entries(options.sections)) {
    if (!section.enabled) continue;
    const { definition, config, grants, isolated } = await defineOne(specifier, section, options);
    const clash = loaded.find((other) => other.name === definition.name);
    if (clash) {
      throw new TesseraError(
        "ERR_PLUGIN_INVALID",
        `Plugins "${clash.specifier}" and "${specifier}" are both named "${definition.name}"; enable only one`,
        { path: `plugins.${specifier}` },
      );
    }
    loaded.push({
      specifier,
      name: definition.name,
      version: definition.version,
      requires: definition.requires ?? [],
      definition,
      config,
      grants,
      routes: [],
      state: "stopped",
      cleanups: [],
      isolation: section.isolation ?? "none",
      ...(isolated ? { isolated } : {}),
    });
  }
  return orderPlugins(loaded);
};

const checkRoutes = (plugin: LoadedPlugin, app: AnyElysia) => {
  for (const route of app.routes) {
    if (!routeAllowed(route.path, plugin.grants.routes)) throw new PermissionDenied(plugin.specifier, "route", route.path);
    plugin.routes.push({ method: route.method, path: route.path });
  }
};

const setupOne = async (plugin: LoadedPlugin, options: SetupOptions) => {
  const ctx = options.context(plugin);
  plugin.context = ctx;
  const path = `plugins.${plugin.specifier}`;
  try {
    const parts = checkParts(
      plugin,
      await withTimeout(() => plugin.definition.setup(ctx), options.timeoutMs, `Setup of plugin "${plugin.name}"`, path),
    );
    if (parts.routes) checkRoutes(plugin, parts.routes);
    plugin.parts = parts;
    plugin.state = "set up";
  } catch (cause) {
    plugin.state = "failed";
    if (isTesseraError(cause)) throw cause;
    throw new TesseraError("ERR_PLUGIN_SETUP", `Plugin "${plugin.name}" failed in setup: ${String(cause)}`, { path, cause });
  }
};

export type SetupOptions = Pick<LoadOptions, "context" | "timeoutMs" | "log">;

/** Runs setup in order; a failure part-way cleans up the plugins already set up, in reverse. */
export const setupPlugins = async (plugins: LoadedPlugin[], options: SetupOptions): Promise<void> => {
  const done: LoadedPlugin[] = [];
  try {
    for (const plugin of plugins) {
      done.push(plugin);
      await setupOne(plugin, options);
    }
  } catch (error) {
    await stopPlugins(done, options.timeoutMs, options.log);
    throw error;
  }
};

export const startPlugins = async (plugins: LoadedPlugin[], timeoutMs: number, log: Logger): Promise<void> => {
  for (const plugin of plugins) {
    const start = plugin.parts?.start;
    try {
      if (start) await withTimeout(start, timeoutMs, `Start of plugin "${plugin.name}"`, `plugins.${plugin.specifier}`);
      plugin.state = "started";
    } catch (cause) {
      plugin.state = "failed";
      await stopPlugins(plugins, timeoutMs, log);
      if (isTesseraError(cause)) throw cause;
      throw new TesseraError("ERR_PLUGIN_SETUP", `Plugin "${plugin.name}" failed to start: ${String(cause)}`, {
        path: `plugins.${plugin.specifier}`,
        cause,
      });
    }
  }
};

/** Reverse order; safe after a partial start; one plugin's failure to stop doesn't keep the others running. */
export const stopPlugins = async (plugins: LoadedPlugin[], timeoutMs: number, log: Logger): Promise<void> => {
  for (const plugin of [...plugins].reverse()) {
    const path = `plugins.${plugin.specifier}`;
    const stop = plugin.parts?.stop;
    const steps = [...(plugin.state === "started" && stop ? [stop] : []), ...[...plugin.cleanups].reverse()];
    plugin.cleanups = [];
    for (const step of steps) {
      try {
        await withTimeout(step, timeoutMs, `Stop of plugin "${plugin.name}"`, path);
      } catch (error) {
        log.error("plugin stop failed", { plugin: plugin.name, error });
      }
    }
    if (plugin.state !== "failed") plugin.state = "stopped";
  }
};
