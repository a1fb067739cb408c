// Finds, reads and checks tessera.jsonc (or falls back to the embedded default), so that start-up
// stops on a bad config before any port opens.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Static, TSchema } from "@sinclair/typebox";
import { configError, issueAt } from "./config-issue";
import { type CoreConfig, type CoreConfigInput, CoreConfigSchema } from "./core-schema";
import { embeddedDefault } from "./embedded-default";
import { interpolateEnv } from "./interpolate";
import { isRecord } from "./json-path";
import { completeIsolation } from "./plugin-isolation";
import { type ConfigSource, readConfigSource } from "./source";
import { validateSection } from "./validate";

export const DEFAULT_CONFIG_FILE = "tessera.jsonc";

export interface LoadConfigOptions {
  /** An explicit config file (`--config`); relative to `cwd`. It must exist. */
  file?: string;
  env: Record<string, string | undefined>;
  cwd: string;
}

export interface LoadedConfig {
  config: CoreConfig;
  /** Absent when running on the embedded default. */
  source?: ConfigSource;
  /** The absolute path of the file read. */
  file?: string;
  embedded: boolean;
  /** Printed paths of values set from the environment: never print them. */
  secretPaths: Set<string>;
}

export const loadConfig = (options: LoadConfigOptions): LoadedConfig => {
  const file = configFile(options);
  const source = file === undefined ? undefined : readConfigSource(file.path, file.name);
  const { value, secretPaths } = interpolateEnv(source === undefined ? embeddedDefault : source.value, {
    env: options.env,
    source,
  });
  const checked = validateSection(CoreConfigSchema, value, { source, basePath: [], secretPaths });
  const config = {
    ...checked,
    server: completeServer(checked.server, source),
    plugins: completeIsolation(checked.plugins, source),
  };
  return { config, source, file: file?.path, embedded: source === undefined, secretPaths };
};

const configFile = ({ file, cwd }: LoadConfigOptions): { path: string; name: string } | undefined => {
  if (file !== undefined) return { path: resolve(cwd, file), name: file };
  const found = resolve(cwd, DEFAULT_CONFIG_FILE);
  return existsSync(found) ? { path: found, name: DEFAULT_CONFIG_FILE } : undefined;
};

/** publicUrl and allowedOrigins default from other settings, so they are filled in after validation. */
const completeServer = (server: CoreConfigInput["server"], source?: ConfigSource): CoreConfig["server"] => {
  // Trailing slashes go so that `${publicUrl}/auth/callback` is always well formed.
  const publicUrl = (server.publicUrl ?? `http://localhost:${server.port}`).replace(/\/+$/, "");
  if (!URL.canParse(publicUrl)) {
    throw configError(
      "ERR_CONFIG_INVALID",
      [issueAt(source, ["server", "publicUrl"], "expected an absolute http(s) URL")],
      source,
    );
  }
  const allowedOrigins = server.allowedOrigins ?? [new URL(publicUrl).origin];
  return { ...server, publicUrl, allowedOrigins };
};

/**
 * A plugin's own section checked against its schema, with defaults applied. The core's keys (`enabled`,
 * `permissions`, `isolation`, `memoryMb`) are removed first; errors read `plugins.<name>.<key>`.
 */
export const validatePluginConfig = <S extends TSchema>(
  definition: { name: string; config: S },
  loaded: LoadedConfig,
  section: unknown = loaded.config.plugins[definition.name],
): Static<S> => {
  return validateSection(definition.config, ownSection(section), {
    source: loaded.source,
    basePath: ["plugins", definition.name],
    secretPaths: loaded.secretPaths,
  });
};

/** A plugin section without the keys the core owns: what the plugin's own schema checks. */
export const ownSection = (section: unknown): Record<string, unknown> => {
  const {
    enabled: _enabled,
    permissions: _permissions,
    isolation: _isolation,
    memoryMb: _memoryMb,
    ...own
  } = isRecord(section) ? section : {};
  return own;
};
