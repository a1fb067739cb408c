// The api-key plugin: guards configured route prefixes with hashed, scoped, rate-limited API keys,
// and makes a valid key a `service` principal for every plugin that asks ctx.auth.

import { Elysia } from "elysia";
import { andThen, definePlugin, hookLater, hookNow } from "tessera/plugin";
import { checkApiKeyConfig } from "./check-config";
import { keysCreateCommand, keysListCommand } from "./cli";
import { type ApiKeyConfig, ApiKeyConfigSchema } from "./config";
import { apiKeyGuard } from "./guard";
import { createKeyCheck } from "./key-check";
import { type DenyReason, keyMetrics } from "./key-metrics";
import type { StoredKey } from "./keyring";
import { storeLastUse } from "./last-use";
import { protectMap } from "./protect-map";

// Before sessions (order 0): a request that names a key on purpose is that service, whatever cookie rides along.
const RESOLVER_ORDER = -10;

export default definePlugin({
  name: "api-key",
  version: "0.1.0",
  config: ApiKeyConfigSchema,
  commands: [keysCreateCommand, keysListCommand],
  setup(ctx) {
    // Everything the config decides, rebuilt whole on reload and swapped in one assignment, so a request
    // sees either the old keys, scopes and limit or the new ones, never a mix.
    const build = (config: ApiKeyConfig, previous: readonly StoredKey[]) => {
      const { keys, protect } = checkApiKeyConfig(config);
      const now = Date.now();
      for (const key of keys) {
        if (key.notAfter !== null && key.notAfter <= now) ctx.log.warn("API key already expired", { key: key.name });
        // A key kept across a reload keeps its last use.
        const same = previous.find((old) => old.name === key.name && old.digest.equals(key.digest));
        if (same) key.lastUsedAt = same.lastUsedAt;
      }
      const check = createKeyCheck({ keys, limits: ctx.limits, rule: config.rateLimit, onDenied });
      // One frozen principal per key, and no await when the limiter answers synchronously.
      const principals = new Map(
        keys.map((key) => [
          key,
          Object.freeze({
            kind: "service" as const,
            name: key.name,
            scopes: [...key.scopes],
            ...(key.workspaces === null ? {} : { workspaces: Object.freeze([...key.workspaces]) }),
          }),
        ]),
      );
      return { keys, check, principals, guard: apiKeyGuard(protectMap(protect), check) };
    };
    // Started only for the keys in force, so a reload that is refused leaves no timer behind.
    const inForce = (built: ReturnType<typeof build>) => ({ ...built, lastUse: storeLastUse(ctx.db, built.keys, ctx.log) });
    const onDenied = (reason: DenyReason) => denied(reason);
    let current = inForce(build(ctx.config, []));
    const denied = keyMetrics(ctx.metrics, () => current.keys);
    ctx.onStop(() => current.lastUse.stop());

    ctx.auth.register(
      "api-key",
      (request) => {
        const { check, principals } = current;
        const key = check.presented(request);
        if (!key) return null;
        const principal = principals.get(key) ?? null;
        const decision = check.admit(request, key);
        return andThen(decision, () => principal);
      },
      RESOLVER_ORDER,
    );
    const guard = (context: Parameters<typeof current.guard>[0]) => current.guard(context);
    return {
      // With an in-memory limiter the guard never waits, and need not make every route wait for it.
      routes: new Elysia().onRequest(ctx.limits.synchronous ? hookNow(guard) : hookLater(guard)),
      reload(config) {
        const next = build(config, current.keys);
        return () => {
          const previous = current;
          current = inForce(next);
          // The replaced keys' last uses are stored once more, then their timer ends.
          previous.lastUse.stop().catch((error: unknown) => ctx.log.warn("storing API keys' last use failed", { error }));
        };
      },
    };
  },
});
