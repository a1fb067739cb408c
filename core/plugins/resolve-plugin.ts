// Turns a config specifier into a plugin definition: a built-in name, a relative path, or a package.
// Only enabled plugins reach this, so a disabled plugin's code is never imported.
import { existsSync, realpathSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { closestMatch } from "../config/suggest";
import { TesseraError } from "../errors/tessera-error";
import { buildInfo } from "../runtime/build-info";
import { BUILT_IN_PLUGINS, importBuiltIn, isBuiltIn } from "./built-in-plugins";
import type { PluginDefinition } from "./define-plugin";
import { HOST_MODULES, provideHostModules } from "./host-modules";
import { isDefinition } from "./is-definition";

const isPath = (specifier: string) => specifier.startsWith("./") || specifier.startsWith("../") || isAbsolute(specifier);

const locate = (specifier: string, baseDir: string): string => {
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
    const near = closestMatch(specifier, BUILT_IN_PLUGINS);
    throw new TesseraError(
      "ERR_PLUGIN_NOT_FOUND",
      `Unknown plugin "${specifier}"${near ? ` (did you mean "${near}"?)` : ""}: not a built-in (${BUILT_IN_PLUGINS.join(", ")}), not a path (start it with ./), and no installed package of that name`,
      { path: `plugins.${specifier}`, cause },
    );
  }
};

// The binary has no node_modules to find a plugin's other imports in; say what it offers instead.
const binaryHint = () =>
  buildInfo.binary
    ? ` (a plugin run by the binary may import only ${Object.keys(HOST_MODULES).join(", ")}; bundle anything else into its file)`
    : "";

interface BuildPosition {
  file: string;
  line: number;
  column: number;
}

const positionOf = (error: unknown): BuildPosition | undefined => {
  if (typeof error !== "object" || error === null || !("position" in error)) return undefined;
  const { position } = error;
  if (typeof position !== "object" || position === null) return undefined;
  if (!("file" in position && "line" in position && "column" in position)) return undefined;
  const { file, line, column } = position;
  return typeof file === "string" && typeof line === "number" && typeof column === "number" ? { file, line, column } : undefined;
};

// Bun reports a file that does not compile as one AggregateError ("3 errors building …") whose
// errors each carry their position; the operator needs those, one a line.
const loadFailure = (cause: unknown): string => {
  const errors = cause instanceof AggregateError && cause.errors.length ? cause.errors : [cause];
  const lines = errors.map((error) => {
    const message = error instanceof Error ? error.message : String(error);
    const at = positionOf(error);
    return at ? `${at.file}:${at.line}:${at.column}: ${message}` : String(error);
  });
  return lines.length === 1 ? ` ${lines[0]}` : lines.map((line) => `\n  ${line}`).join("");
};

export const resolvePlugin = async (specifier: string, baseDir: string): Promise<PluginDefinition> => {
  const file = isBuiltIn(specifier) ? `plugins/${specifier}/index.ts` : locate(specifier, baseDir);
  if (!isBuiltIn(specifier)) provideHostModules();
  let module: { default?: unknown };
  try {
    module = await (isBuiltIn(specifier) ? importBuiltIn(specifier) : import(file));
  } catch (cause) {
    const hint = isBuiltIn(specifier) ? "" : binaryHint();
    throw new TesseraError("ERR_PLUGIN_INVALID", `Plugin "${specifier}" failed to load:${loadFailure(cause)}${hint}`, {
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

/** An isolated plugin's files, found without importing it: the module and what it may read. */
export interface PluginFiles {
  entry: string;
  /** Its folder; for a plugin that is one file beside others (a config folder), that file alone. */
  folder: string;
}

// A package's folder is the nearest one above its module holding a package.json.
const packageFolder = (entry: string): string => {
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
  }
  return dirname(entry);
};

/**
 * A plugin by path is a folder (with a package.json naming its module) or a single file, which is then
 * all it may read: the folder it sits in may hold the config and the database. A package is its installed
 * folder. Real paths, as the runtime checks reads against them.
 */
export const locatePluginFiles = (specifier: string, baseDir: string): PluginFiles => {
  const located = locate(specifier, baseDir);
  if (isPath(specifier)) {
    const directory = statSync(located).isDirectory();
    const entry = realpathSync(directory ? Bun.resolveSync(located, baseDir) : located);
    return { entry, folder: directory ? realpathSync(located) : entry };
  }
  const entry = realpathSync(located);
  return { entry, folder: packageFolder(entry) };
};
