// Each plugin section's `isolation`, completed after validation: plugins by path or package run in their
// own process unless told otherwise; built-ins are trusted, use in-process services, and can't be isolated.
import { BUILT_IN_PLUGINS } from "../plugins/built-in-plugins";
import { type ConfigIssue, configError, issueAt } from "./config-issue";
import type { PluginEntry } from "./core-schema";
import type { ConfigSource } from "./source";

export type Isolation = "process" | "none";

export const DEFAULT_MEMORY_MB = 256;

const builtIn = (specifier: string) => (BUILT_IN_PLUGINS as readonly string[]).includes(specifier);

/** The sections with `isolation` always set and `memoryMb` set exactly when it is "process". */
export const completeIsolation = (
  plugins: Record<string, PluginEntry>,
  source?: ConfigSource,
): Record<string, PluginEntry & { isolation: Isolation }> => {
  const issues: ConfigIssue[] = [];
  const completed: Record<string, PluginEntry & { isolation: Isolation }> = {};
  for (const [specifier, section] of Object.entries(plugins)) {
    const isolation = section.isolation ?? (builtIn(specifier) ? "none" : "process");
    if (isolation === "process" && builtIn(specifier)) {
      issues.push(
        issueAt(
          source,
          ["plugins", specifier, "isolation"],
          `"${specifier}" is a built-in plugin: built-ins are trusted and use the server's services in process; remove "isolation" or set it to "none"`,
        ),
      );
    }
    if (isolation === "none" && section.memoryMb !== undefined) {
      issues.push(issueAt(source, ["plugins", specifier, "memoryMb"], 'applies only with "isolation": "process"'));
    }
    completed[specifier] =
      isolation === "process"
        ? { ...section, isolation, memoryMb: section.memoryMb ?? DEFAULT_MEMORY_MB }
        : { ...section, isolation };
  }
  if (issues.length > 0) throw configError("ERR_CONFIG_INVALID", issues, source);
  return completed;
};
