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

export interface NetRule {
  /** Canonical host name or address; `*.example.com` for any subdomain. */
  host: string;
  /** A port, `*` for any, or absent for the scheme's default port only. */
  port?: string;
}

const NET_RULE = /^(\[[^\]]+\]|[^:]+)(?::(\*|\d+))?$/;

// Hosts go through the URL parser so that a rule and a request spell an address the same way.
export const parseNetRule = (entry: string): NetRule | undefined => {
  const match = NET_RULE.exec(entry.trim().toLowerCase());
  const [, host, port] = match ?? [];
  if (!host) return undefined;
  if (host.startsWith("*.")) return { host, port };
  try {
    return { host: new URL(`http://${host}`).hostname, port };
  } catch {
    return undefined;
  }
};

const defaultPort = (url: URL) => (url.protocol === "https:" ? "443" : "80");

/**
 * `host` (the scheme's default port only), `host:port`, `host:*` (any port), `*.example.com`
 * (any subdomain, not the apex, with the same port forms); IPv6 addresses in brackets.
 */
export const netAllowed = (url: URL, granted: readonly string[]): boolean => {
  const host = url.hostname.toLowerCase();
  const port = url.port || defaultPort(url);
  return granted.some((entry) => {
    const rule = parseNetRule(entry);
    if (!rule) return false;
    const hostMatches = rule.host.startsWith("*.") ? host.endsWith(rule.host.slice(1)) : host === rule.host;
    const portMatches = rule.port === "*" || (rule.port ?? defaultPort(url)) === port;
    return hostMatches && portMatches;
  });
};

/** The same URL aimed at one of the addresses its host resolved to. */
export const atAddress = (url: URL, address: string): URL => {
  const aimed = new URL(url);
  aimed.hostname = address.includes(":") ? `[${address}]` : address;
  return aimed;
};

/** Exact names, or a `PREFIX_*` wildcard. */
export const envAllowed = (name: string, granted: readonly string[]): boolean =>
  granted.some((rule) => (rule.endsWith("*") ? name.startsWith(rule.slice(0, -1)) : rule === name));

const segments = (path: string) => path.split("/").filter(Boolean);

// Requests reach the router with dot segments resolved and percent-encoding as sent, so a route spelt
// with either is not the path its prefix seems to grant (and the API-key guard would read it otherwise).
const UNROUTABLE = /(^|\/)\.\.?(\/|$)|%|\\/;

/** A route is allowed when a granted prefix matches its leading segments; `:param` matches any segment. */
export const routeAllowed = (path: string, granted: readonly string[]): boolean => {
  if (UNROUTABLE.test(path)) return false;
  const route = segments(path);
  return granted.some((prefix) => {
    const rule = segments(prefix);
    if (rule.length > route.length) return false;
    return rule.every((part, i) => part === route[i] || part.startsWith(":"));
  });
};
