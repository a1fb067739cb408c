// The plugins a config enables, imported (only those), their config validated, in dependency order,
// nothing set up: what the runtime sets up, and what the CLI lists commands and migrations from.
import { dirname } from "node:path";
import { type LoadedConfig, validatePluginConfig } from "../config/load-config";
import { type IsolationHost, isolationHost } from "../isolation/isolation-host";
import { createLogger } from "../log/json-logger";
import { definePlugins, type LoadedPlugin } from "../plugins/load-plugins";

/** Directory relative paths in config resolve against: the config file's, or the cwd. */
export const configBaseDir = (loaded: LoadedConfig, cwd: string): string => (loaded.file ? dirname(loaded.file) : cwd);

/**
 * What runs isolated plugins for this config. A CLI command's stdout is its answer (a session token), so
 * without a logger of its own the host logs warnings and errors to stderr.
 */
export const isolationFor = (
  loaded: LoadedConfig,
  cwd: string,
  options: { env?: Record<string, string | undefined>; log?: IsolationHost["log"]; databaseUrl?: string } = {},
): IsolationHost => {
  const { url, connectTimeoutMs, statementTimeoutMs } = loaded.config.database;
  return isolationHost({
    deno: loaded.config.isolation.deno,
    env: options.env ?? process.env,
    log: options.log ?? createLogger({ level: "warn", write: (line) => process.stderr.write(`${line}\n`) }),
    database: {
      url: options.databaseUrl ?? url,
      cwd: configBaseDir(loaded, cwd),
      deadlines: { connectTimeoutMs, statementTimeoutMs },
    },
    maxJsonDepth: loaded.config.server.maxJsonDepth,
  });
};

export const configuredPlugins = (loaded: LoadedConfig, cwd: string, isolation?: IsolationHost): Promise<LoadedPlugin[]> =>
  definePlugins({
    sections: loaded.config.plugins,
    baseDir: configBaseDir(loaded, cwd),
    validate: (definition, specifier, section) =>
      validatePluginConfig({ name: specifier, config: definition.config }, loaded, section),
    isolation: isolation ?? isolationFor(loaded, cwd),
    secretPaths: loaded.secretPaths,
    source: loaded.source,
  });

/** Specifiers present in config but not enabled. */
export const disabledPlugins = (loaded: LoadedConfig): string[] =>
  Object.entries(loaded.config.plugins)
    .filter(([, section]) => !section.enabled)
    .map(([specifier]) => specifier);
