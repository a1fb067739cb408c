// What operators see of API-key use on /metrics: each key's last accepted request and every refusal by reason.
import type { Registry } from "tessera/plugin";
import type { StoredKey } from "./keyring";

export type DenyReason =
  | "missing"
  | "empty"
  | "duplicate"
  | "malformed"
  | "unknown"
  | "expired"
  | "scope"
  | "query"
  | "rate_limited";

/** `keys` is asked at each scrape: a reload replaces the list. */
export const keyMetrics = (metrics: Registry, keys: () => readonly StoredKey[]): ((reason: DenyReason) => void) => {
  metrics.gauge({
    name: "tessera_api_key_last_used_seconds",
    help: "When each API key was last accepted (Unix seconds); absent until its first use since start-up.",
    labelNames: ["key"],
    collect: (gauge) => {
      for (const key of keys()) if (key.lastUsedAt !== null) gauge.labels(key.name).set(key.lastUsedAt / 1000);
    },
  });
  const denied = metrics.counter({
    name: "tessera_api_key_denied_total",
    help: "Requests refused by the API-key check, by reason.",
    labelNames: ["reason"],
  });
  return (reason) => denied.labels(reason).inc();
};
