// `${VAR}` and `${VAR:-default}` in config string values (never in keys), with `$${` for a
// literal `${`. Values that come from the environment are treated as secrets from here on.
import { type ConfigIssue, configError, issueAt } from "./config-issue";
import { formatPath, isRecord, type JsonPath } from "./json-path";
import type { ConfigSource } from "./source";

export interface InterpolateOptions {
  env: Record<string, string | undefined>;
  /** For line:col in errors; absent for the embedded default. */
  source?: ConfigSource;
}

export interface Interpolated {
  value: unknown;
  /**
   * Printed paths of every string that was interpolated, even when its default was used: such a
   * value is meant to be set from the environment, so it is never echoed in errors or logs.
   */
  secretPaths: Set<string>;
}

// `$${` first so that the escape wins over the `${` inside it.
const TOKEN = /\$\$\{|\$\{([^}]*)(\}?)/g;
const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;
// biome-ignore lint/suspicious/noTemplateCurlyInString: this is the config's own ${VAR} syntax, not a template
const MALFORMED = "malformed `${`: write ${NAME} or ${NAME:-default}, or $${ for a literal `${`";

/** Throws ERR_CONFIG_ENV listing every unset variable (by path and name, never by value). */
export const interpolateEnv = (value: unknown, options: InterpolateOptions): Interpolated => {
  const secretPaths = new Set<string>();
  const issues: ConfigIssue[] = [];

  const expand = (text: string, path: JsonPath): string => {
    let interpolated = false;
    const result = text.replace(TOKEN, (token, body: string | undefined, close: string | undefined) => {
      if (token === "$${") return "${";
      interpolated = true;
      const match = close === "}" && body !== undefined ? REFERENCE.exec(body) : null;
      const name = match?.[1];
      const fallback = match?.[2];
      if (name === undefined || fallback?.includes("${")) {
        issues.push(issueAt(options.source, path, MALFORMED));
        return "";
      }
      const found = options.env[name];
      // Like a shell's `:-`, an empty variable also takes the default.
      if (fallback !== undefined && (found === undefined || found === "")) return fallback;
      if (found !== undefined) return found;
      issues.push(issueAt(options.source, path, `environment variable ${name} is not set`));
      return "";
    });
    if (interpolated) secretPaths.add(formatPath(path));
    return result;
  };

  const walk = (node: unknown, path: JsonPath): unknown => {
    if (typeof node === "string") return expand(node, path);
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...path, index]));
    if (isRecord(node)) return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, walk(item, [...path, key])]));
    return node;
  };

  const result = walk(value, []);
  if (issues.length > 0) throw configError("ERR_CONFIG_ENV", issues, options.source);
  return { value: result, secretPaths };
};
