// Matching requested hosts, variables and routes against what a plugin was granted.
import type { Grants } from "./define-plugin";

export const emptyGrants = (): Grants => ({ net: [], env: [], routes: [] });

export const mergeGrants = (...parts: (Partial<Grants> | undefined)[]): Grants => {
  const merged = emptyGrants();
  for (const part of parts) {
    if (!part) continue;
    for (const kind of ["net", "env", "routes"] as const) {
      for (const value of part[kind] ?? []) if (!merged[kind].includes(value)) merged[kind].push(value);
    }
  }
  return merged;
};

/** `host`, `host:port` or `*.example.com` (any subdomain, not the apex). */
export const netAllowed = (url: URL, granted: readonly string[]): boolean => {
  const host = url.hostname.toLowerCase();
  const hostPort = `${host}:${url.port || (url.protocol === "https:" ? "443" : "80")}`;
  return granted.some((entry) => {
    const rule = entry.toLowerCase();
    if (rule.startsWith("*.")) return host.endsWith(rule.slice(1));
    return rule.includes(":") && !rule.startsWith("[") ? rule === hostPort : rule === host;
  });
};

/** Exact names, or a `PREFIX_*` wildcard. */
export const envAllowed = (name: string, granted: readonly string[]): boolean =>
  granted.some((rule) => (rule.endsWith("*") ? name.startsWith(rule.slice(0, -1)) : rule === name));

const segments = (path: string) => path.split("/").filter(Boolean);

/** A route is allowed when a granted prefix matches its leading segments; `:param` matches any segment. */
export const routeAllowed = (path: string, granted: readonly string[]): boolean => {
  const route = segments(path);
  return granted.some((prefix) => {
    const rule = segments(prefix);
    if (rule.length > route.length) return false;
    return rule.every((part, i) => part === route[i] || part.startsWith(":"));
  });
};
