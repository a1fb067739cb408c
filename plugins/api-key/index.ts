// The api-key plugin: guards configured route prefixes with hashed, scoped, rate-limited API keys,
// and makes a valid key a `service` principal for every plugin that asks ctx.auth.

import { Elysia } from "elysia";
import { andThen, definePlugin, hookNow } from "tessera/plugin";
import { checkApiKeyConfig } from "./check-config";
import { keysCreateCommand } from "./cli";
import { ApiKeyConfigSchema } from "./config";
import { apiKeyGuard } from "./guard";
import { createKeyCheck } from "./key-check";
import { keyMetrics } from "./key-metrics";
import { protectMap } from "./protect-map";

// Before sessions (order 0): a request that names a key on purpose is that service, whatever cookie rides along.
const RESOLVER_ORDER = -10;

export default definePlugin({
  name: "api-key",
  version: "0.1.0",
  config: ApiKeyConfigSchema,
  commands: [keysCreateCommand],
  setup(ctx) {
    const { keys, protect } = checkApiKeyConfig(ctx.config);
    const now = Date.now();
    for (const key of keys) {
      if (key.notAfter !== null && key.notAfter <= now) ctx.log.warn("API key already expired", { key: key.name });
    }
    const check = createKeyCheck({
      keys,
      limits: ctx.limits,
      rule: ctx.config.rateLimit,
      onDenied: keyMetrics(ctx.metrics, keys),
    });
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
    ctx.auth.register(
      "api-key",
      (request) => {
        const key = check.presented(request);
        if (!key) return null;
        const principal = principals.get(key) ?? null;
        const decision = check.admit(request, key);
        return andThen(decision, () => principal);
      },
      RESOLVER_ORDER,
    );
    const guard = apiKeyGuard(protectMap(protect), check);
    // With an in-memory limiter the guard never waits, and need not make every route wait for it.
    return { routes: new Elysia().onRequest(ctx.limits.synchronous ? hookNow(guard) : guard) };
  },
});
