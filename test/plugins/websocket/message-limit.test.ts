import { describe, expect, test } from "bun:test";
import { MemoryRateLimiter } from "../../../core/limits/memory-limiter";
import type { RateLimiter } from "../../../core/limits/rate-limiter";
import { createLogger } from "../../../core/log/json-logger";
import { MessageLimit } from "../../../plugins/websocket/message-limit";

const rule = { limit: 1, windowMs: 1000, burst: 4 };

const allowedOf = (limit: MessageLimit, count: number) =>
  Array.from({ length: count }, () => limit.check("user", rule)).filter((decision) => decision.allowed).length;

describe("the WebSocket message limit", () => {
  test("on one instance, the local limit alone decides", () => {
    const limit = new MessageLimit(createLogger({ write: () => {} }));
    expect(allowedOf(limit, 10)).toBeLessThan(10);
    limit.close();
  });

  test("a new rule (a reload) applies from the next message, counted on from the user's state", () => {
    const limit = new MessageLimit(createLogger({ write: () => {} }));
    expect(allowedOf(limit, 4)).toBe(4);
    expect(limit.check("user", rule).allowed).toBe(false);
    const wider = { ...rule, burst: 10 };
    expect(Array.from({ length: 10 }, () => limit.check("user", wider)).filter((d) => d.allowed)).toHaveLength(6);
    limit.close();
  });

  test("with a shared limiter, messages sent through two instances are counted together", async () => {
    // One limiter behind both stands in for Redis.
    const shared = new MemoryRateLimiter();
    const logger = createLogger({ write: () => {} });
    const a = new MessageLimit(logger, shared);
    const b = new MessageLimit(logger, shared);
    const onA = allowedOf(a, 4);
    await Bun.sleep(5);
    // B's own budget is untouched, but the shared count refuses it once its verdict is back.
    expect(b.check("user", rule).allowed).toBe(true);
    await Bun.sleep(5);
    const refused = b.check("user", rule);
    expect(onA).toBe(4);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(b.check("someone else", rule).allowed).toBe(true);
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
    const limit = new MessageLimit(createLogger({ write: (line) => lines.push(line) }), failing);
    expect(allowedOf(limit, 3)).toBe(3);
    await Bun.sleep(5);
    expect(allowedOf(limit, 10)).toBeLessThan(10);
    expect(lines.filter((line) => line.includes("message limit is unavailable"))).toHaveLength(1);
    limit.close();
  });
});
