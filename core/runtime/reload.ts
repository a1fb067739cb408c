// SIGHUP: read the config file again and apply what can change while connections stay open — admins,
// the log level and access log, and each plugin's own settings through its `reload` — once all of it is
// valid and accepted. A bad file changes nothing; what only a restart can apply (core settings, a plugin
// without `reload`, the settings a plugin's reload says it keeps) is named in the log.
import { isDeepStrictEqual } from "node:util";
import type { CoreConfig } from "../config/core-schema";
import type { LoadedConfig } from "../config/load-config";
import type { Auth } from "../identity/auth";
import type { AccessLog } from "../log/access-log";
import type { Logger, LogLevel } from "../log/logger";
import type { PluginReload } from "../plugins/define-plugin";
import type { LoadedPlugin } from "../plugins/load-plugins";

export interface ReloadDeps {
  /** The config the process runs on now. */
  loaded: LoadedConfig;
  /** Reads and checks the file again (throws a TesseraError naming the path on a bad file). */
  load: () => LoadedConfig;
  /** The new config's enabled plugins with their sections checked against their schemas. */
  plugins: (loaded: LoadedConfig) => Promise<LoadedPlugin[]>;
  running: readonly LoadedPlugin[];
  auth: Pick<Auth, "setAdmins">;
  log: Logger;
  /** Absent when the level is fixed by --log-level or TESSERA_LOG_LEVEL, or the logger is not ours. */
  setLevel?: (level: LogLevel) => void;
  accessLog: AccessLog;
}

// Core settings applied on reload; every other changed core setting needs a restart.
const CORE_RELOADABLE = new Set(["admins", "log.level", "log.access"]);
// A plugin's own settings reach its `reload`; these decide whether, with what and where it runs at all.
const PLUGIN_FIXED = new Set(["enabled", "permissions", "isolation", "memoryMb"]);

/** Dotted paths of the leaves that differ; arrays count as one value. */
export const changedPaths = (before: unknown, after: unknown, path: string[] = []): string[] => {
  const isRecord = (value: unknown): value is Record<string, unknown> =>
    typeof value === "object" && value !== null && !Array.isArray(value);
  if (isRecord(before) && isRecord(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys].flatMap((key) => changedPaths(before[key], after[key], [...path, key]));
  }
  return isDeepStrictEqual(before, after) ? [] : [path.join(".")];
};

const accepted = (reload: PluginReload) => (typeof reload === "function" ? { apply: reload, needsRestart: [] } : reload);

/** Serialised: a second SIGHUP during a reload waits for the first, then reads the file again. */
export const createReloader = (deps: ReloadDeps): (() => Promise<void>) => {
  const booted = deps.loaded.config;
  let applied: CoreConfig = booted;
  // What each reloaded plugin could not apply: kept until its config changes again, as a plugin whose
  // config is unchanged is not asked again.
  let pluginRestarts = new Map<string, readonly string[]>();
  let queue = Promise.resolve();
  const reloadOnce = async () => {
    try {
      const next = deps.load();
      const fresh = await deps.plugins(next);
      const byName = new Map(deps.running.map((plugin) => [plugin.specifier, plugin]));
      const needsRestart = new Set<string>();
      for (const path of changedPaths(booted, next.config)) {
        const [section, specifier, setting] = path.split(".");
        if (section !== "plugins" || specifier === undefined) {
          if (!CORE_RELOADABLE.has(path) && !CORE_RELOADABLE.has(section ?? "")) needsRestart.add(path);
          continue;
        }
        const running = byName.get(specifier);
        const reloadable = running?.parts?.reload && setting !== undefined && !PLUGIN_FIXED.has(setting);
        if (!reloadable) needsRestart.add(`plugins.${specifier}${setting === undefined ? "" : `.${setting}`}`);
      }
      // Every plugin checks its new settings before any is applied, so a refusal leaves all as they were.
      const commits: (() => void)[] = [];
      const reloaded: string[] = [];
      const restarts = new Map(pluginRestarts);
      for (const plugin of fresh) {
        const running = byName.get(plugin.specifier);
        const reload = running?.parts?.reload;
        if (!running || !reload || isDeepStrictEqual(running.config, plugin.config)) continue;
        const { apply, needsRestart: paths } = accepted(await reload(plugin.config));
        commits.push(apply);
        restarts.set(
          plugin.specifier,
          paths.map((path) => `plugins.${plugin.specifier}.${path}`),
        );
        reloaded.push(plugin.specifier);
      }
      for (const commit of commits) commit();
      pluginRestarts = restarts;
      for (const paths of pluginRestarts.values()) for (const path of paths) needsRestart.add(path);
      for (const plugin of fresh) {
        const running = byName.get(plugin.specifier);
        if (running && reloaded.includes(plugin.specifier)) running.config = plugin.config;
      }
      const { config } = next;
      deps.setLevel?.(config.log.level);
      deps.accessLog.enabled = config.log.access;
      if (!isDeepStrictEqual(applied.admins, config.admins)) await deps.auth.setAdmins(config.admins);
      applied = config;
      deps.log.info("config reloaded", { file: next.file, plugins: reloaded });
      if (needsRestart.size > 0) {
        deps.log.warn("config change needs a restart to take effect", { paths: [...needsRestart] });
      }
    } catch (error) {
      deps.log.error("config reload failed: keeping the running config", { error });
    }
  };
  return () => {
    queue = queue.then(reloadOnce);
    return queue;
  };
};
