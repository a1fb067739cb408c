// A plugin module's default export is a definition: checked where a module is imported, in process
// (resolve-plugin.ts) and in an isolated plugin's child, which must not import what needs Bun.
import type { PluginDefinition } from "./define-plugin";

export const isDefinition = (value: unknown): value is PluginDefinition =>
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
