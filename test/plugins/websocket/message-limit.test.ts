import { describe, expect, test } from "bun:test";
import { MemoryRateLimiter } from "../../../core/limits/memory-limiter";
import type { RateLimiter } from "../../../core/limits/rate-limiter";
import { createLogger } from "../../../core/log/json-logger";
import { MessageLimit } from "../../../plugins/websocket/message-limit";

const rule = { limit: 1, windowMs: 1000, burst: 4 };

const allowedOf = (limit: MessageLimit, count: number) =>
  Array.from({ length: count }, () => limit.check("user")).filter((decision) => decision.allowed).length;

describe("the WebSocket message limit", () => {
  test("on one instance, the local limit alone decides", () => {
    const limit = new MessageLimit(rule, createLogger({ write: () => {} }));
    expect(allowedOf(limit, 10)).toBeLessThan(10);
    limit.close();
  });

  test("with a shared limiter, messages sent through two instances are counted together", async () => {
    // One limiter behind both stands in for Redis.
    const shared = new MemoryRateLimiter();
    const logger = createLogger({ write: () => {} });
    const a = new MessageLimit(rule, logger, shared);
    const b = new MessageLimit(rule, logger, shared);
    const onA = allowedOf(a, 4);
    await Bun.sleep(5);
    // B's own budget is untouched, but the shared count refuses it once its verdict is back.
    expect(b.check("user").allowed).toBe(true);
    await Bun.sleep(5);
    const refused = b.check("user");
    expect(onA).toBe(4);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(b.check("someone else").allowed).toBe(true);
    for (const limit of [a, b]) limit.close();
    await shared.close();
  });

  test("an unreachable shared limiter leaves the local limit in force and is logged once", async () => {
    const lines: string[] = [];
    const failing: RateLimiter = {
      synchronous: false,
      consume: () => Promise.reject(new Error("Redis is down")),
      ready: async () => false,
      close: async () => {},
    };
    const limit = new MessageLimit(rule, createLogger({ write: (line) => lines.push(line) }), failing);
    expect(allowedOf(limit, 3)).toBe(3);
    await Bun.sleep(5);
    expect(allowedOf(limit, 10)).toBeLessThan(10);
    expect(lines.filter((line) => line.includes("message limit is unavailable"))).toHaveLength(1);
    limit.close();
  });
});
