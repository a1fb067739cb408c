// Start-up checks the schema can't express: unique names and hashes, real dates, and every protected
// prefix reachable by some unexpired key. Problems stop start-up with their config paths, all at once.
import { type ConfigIssue, configError, issueAt, type JsonPath } from "tessera/plugin";
import type { ApiKeyConfig } from "./config";
import { type StoredKey, storedKey } from "./keyring";

export interface CheckedConfig {
  keys: StoredKey[];
  /** Normalised prefix → required scope. */
  protect: [prefix: string, scope: string][];
}

// Literal segments only: a parameter or wildcard would make "which routes are protected" a guess.
const PREFIX = /^(\/[^/?#*:%\s]+)+$/;

export const checkApiKeyConfig = (config: ApiKeyConfig, now: number = Date.now()): CheckedConfig => {
  const issues: ConfigIssue[] = [];
  const at = (path: JsonPath, message: string) => issues.push(issueAt(undefined, ["plugins", "api-key", ...path], message));

  const names = new Map<string, number>();
  const hashes = new Map<string, number>();
  const keys = config.keys.map((key, i) => {
    const sameName = names.get(key.name);
    if (sameName !== undefined) at(["keys", i, "name"], `"${key.name}" is already the name of keys[${sameName}]`);
    names.set(key.name, i);
    const sameHash = hashes.get(key.hash);
    if (sameHash !== undefined) at(["keys", i, "hash"], `the same key as keys[${sameHash}]; give each key its own`);
    hashes.set(key.hash, i);
    const notAfter = key.notAfter === undefined ? null : Date.parse(key.notAfter);
    if (notAfter !== null && Number.isNaN(notAfter)) at(["keys", i, "notAfter"], "not a valid date");
    return storedKey(key.name, key.hash, key.scopes, notAfter, key.workspaces ?? null);
  });

  const prefixes = new Map<string, string>();
  const protect: [string, string][] = [];
  for (const [prefix, scope] of Object.entries(config.protect)) {
    const normalised = prefix.replace(/\/+$/, "");
    if (!PREFIX.test(normalised)) {
      at(["protect", prefix], 'expected a route prefix of literal segments, such as "/coordinator"');
      continue;
    }
    const same = prefixes.get(normalised);
    if (same !== undefined) at(["protect", prefix], `the same prefix as "${same}"`);
    prefixes.set(normalised, prefix);
    const usable = keys.some((key) => key.scopes.has(scope) && (key.notAfter === null || key.notAfter > now));
    if (!usable) {
      at(
        ["protect", prefix],
        `no unexpired key has the "${scope}" scope, so nothing could reach ${normalised}; create one with: tessera keys create --name <name> --scopes ${scope}`,
      );
    }
    protect.push([normalised, scope]);
  }

  if (issues.length > 0) throw configError("ERR_CONFIG_INVALID", issues);
  return { keys, protect };
};
