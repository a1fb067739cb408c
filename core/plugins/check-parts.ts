// What setup returned, checked the same way in process and in an isolated plugin's child: a plugin in
// plain JavaScript is not type-checked. Imports nothing that needs Bun, so the child (Deno) can use it.
import type { AnyElysia } from "elysia";
import { TesseraError } from "../errors/tessera-error";
import type { PluginParts } from "./define-plugin";

// An Elysia app has a `routes` array of its own, so returning the app itself is told apart from parts.
export const isApp = (value: unknown): value is AnyElysia =>
  typeof value === "object" && value !== null && "handle" in value && typeof value.handle === "function";

export const checkParts = (plugin: { name: string; specifier: string }, parts: PluginParts | undefined): PluginParts => {
  const invalid = (message: string) =>
    new TesseraError("ERR_PLUGIN_INVALID", `Plugin "${plugin.name}": ${message}`, { path: `plugins.${plugin.specifier}` });
  if (parts === undefined) return {};
  if (isApp(parts)) throw invalid("setup returned an Elysia app; return { routes: app } instead");
  if (typeof parts !== "object" || parts === null) throw invalid("setup must return { routes, start, stop, health } or nothing");
  if (parts.routes !== undefined && !isApp(parts.routes)) throw invalid("setup's routes must be an Elysia app");
  for (const [key, hook] of Object.entries({
    start: parts.start,
    stop: parts.stop,
    health: parts.health,
    reload: parts.reload,
  })) {
    if (hook !== undefined && typeof hook !== "function") throw invalid(`setup's ${key} must be a function`);
  }
  if (parts.bodyLimits !== undefined && !Array.isArray(parts.bodyLimits)) throw invalid("setup's bodyLimits must be an array");
  return parts;
};
