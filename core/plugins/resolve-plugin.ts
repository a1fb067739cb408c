// Turns a config specifier into a plugin definition: a built-in name, a relative path, or a package.
// Only enabled plugins reach this, so a disabled plugin's code is never imported.
import { existsSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { TesseraError } from "../errors/tessera-error";
import type { PluginDefinition } from "./define-plugin";

export const BUILT_IN_PLUGINS = ["oidc", "api-key", "websocket", "coordinator", "federation", "console"] as const;

const pluginsDir = join(import.meta.dir, "..", "..", "plugins");

export const isBuiltIn = (specifier: string): boolean => (BUILT_IN_PLUGINS as readonly string[]).includes(specifier);

const isPath = (specifier: string) => specifier.startsWith("./") || specifier.startsWith("../") || isAbsolute(specifier);

const locate = (specifier: string, baseDir: string): string => {
  if (isBuiltIn(specifier)) return join(pluginsDir, specifier, "index.ts");
  if (isPath(specifier)) {
    const file = resolve(baseDir, specifier);
    if (!existsSync(file)) {
      throw new TesseraError("ERR_PLUGIN_NOT_FOUND", `No plugin file at ${file}`, { path: `plugins.${specifier}` });
    }
    return file;
  }
  try {
    return Bun.resolveSync(specifier, baseDir);
  } catch (cause) {
    throw new TesseraError(
      "ERR_PLUGIN_NOT_FOUND",
      `Unknown plugin "${specifier}": not a built-in (${BUILT_IN_PLUGINS.join(", ")}), not a path (start it with ./), and no installed package of that name`,
      { path: `plugins.${specifier}`, cause },
    );
  }
};

const isDefinition = (value: unknown): value is PluginDefinition =>
  typeof value === "object" &&
  value !== null &&
  "name" in value &&
  typeof value.name === "string" &&
  "version" in value &&
  typeof value.version === "string" &&
  "setup" in value &&
  typeof value.setup === "function" &&
  "config" in value &&
  typeof value.config === "object";

export const resolvePlugin = async (specifier: string, baseDir: string): Promise<PluginDefinition> => {
  const file = locate(specifier, baseDir);
  let module: { default?: unknown };
  try {
    module = await import(file);
  } catch (cause) {
    throw new TesseraError("ERR_PLUGIN_INVALID", `Plugin "${specifier}" failed to load: ${String(cause)}`, {
      path: `plugins.${specifier}`,
      cause,
    });
  }
  if (!isDefinition(module.default)) {
    throw new TesseraError(
      "ERR_PLUGIN_INVALID",
      `Plugin "${specifier}" (${file}) must default-export definePlugin({ name, version, config, setup })`,
      { path: `plugins.${specifier}` },
    );
  }
  return module.default;
};
