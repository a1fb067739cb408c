import { describe, expect, test } from "bun:test";
import { MemoryRateLimiter } from "../../../core/limits/memory-limiter";
import { MAX_KEY_LENGTH } from "../../../core/limits/rate-limiter";

const clock = (start = 1_000_000) => {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
};

// 5 per second: one request every 200 ms, a bucket of 5.
const rule = { limit: 5, windowMs: 1000 };

describe("MemoryRateLimiter", () => {
  test("allows a full burst, then refuses", () => {
    const time = clock();
    const limiter = new MemoryRateLimiter({ now: time.now });
    const remaining = Array.from({ length: 5 }, () => limiter.consume("k", rule)).map((d) => (d.allowed ? d.remaining : -1));
    expect(remaining).toEqual([4, 3, 2, 1, 0]);
    const denied = limiter.consume("k", rule);
    expect(denied).toMatchObject({ allowed: false, limit: 5, remaining: 0 });
  });

  test("answers synchronously, so a hot path can check before any await", () => {
    const limiter = new MemoryRateLimiter();
    expect(limiter.consume("k", rule) instanceof Promise).toBe(false);
  });

  test("retryAfterMs is exactly the wait until the next request fits", () => {
    const time = clock();
    const limiter = new MemoryRateLimiter({ now: time.now });
    for (let i = 0; i < 5; i++) limiter.consume("k", rule);
    expect(limiter.consume("k", rule).retryAfterMs).toBe(200);
    time.advance(150);
    expect(limiter.consume("k", rule)).toMatchObject({ allowed: false, retryAfterMs: 50 });
    time.advance(49);
    expect(limiter.consume("k", rule)).toMatchObject({ allowed: false, retryAfterMs: 1 });
    time.advance(1);
    expect(limiter.consume("k", rule)).toMatchObject({ allowed: true, retryAfterMs: 0, remaining: 0 });
  });

  test("refills at the steady rate and never beyond the bucket", () => {
    const time = clock();
    const limiter = new MemoryRateLimiter({ now: time.now });
    for (let i = 0; i < 5; i++) limiter.consume("k", rule);
    time.advance(600);
    const allowed = Array.from({ length: 5 }, () => limiter.consume("k", rule).allowed);
    expect(allowed).toEqual([true, true, true, false, false]);
    time.advance(60_000);
    expect(limiter.consume("k", rule).remaining).toBe(4);
  });

  test("resetMs is the time until the bucket is full again", () => {
    const time = clock();
    const limiter = new MemoryRateLimiter({ now: time.now });
    limiter.consume("k", rule);
    expect(limiter.consume("k", rule).resetMs).toBe(400);
  });

  test("burst sets the bucket size independently of the steady rate", () => {
    const time = clock();
    const limiter = new MemoryRateLimiter({ now: time.now });
    const bursty = { limit: 1, windowMs: 1000, burst: 3 };
    expect(Array.from({ length: 4 }, () => limiter.consume("k", bursty).allowed)).toEqual([true, true, true, false]);
    time.advance(1000);
    expect(limiter.consume("k", bursty).allowed).toBe(true);
    expect(limiter.consume("k", bursty).allowed).toBe(false);
  });

  test("a cost takes several requests' worth, and a refused cost takes nothing", () => {
    const time = clock();
    const limiter = new MemoryRateLimiter({ now: time.now });
    expect(limiter.consume("k", rule, 3)).toMatchObject({ allowed: true, remaining: 2 });
    expect(limiter.consume("k", rule, 3)).toMatchObject({ allowed: false, remaining: 2, retryAfterMs: 200 });
    expect(limiter.consume("k", rule, 2)).toMatchObject({ allowed: true, remaining: 0 });
  });

  test("keys are limited independently", () => {
    const time = clock();
    const limiter = new MemoryRateLimiter({ now: time.now });
    for (let i = 0; i < 5; i++) limiter.consume("alice", rule);
    expect(limiter.consume("alice", rule).allowed).toBe(false);
    expect(limiter.consume("bob", rule)).toMatchObject({ allowed: true, remaining: 4 });
  });

  test("holds at most maxKeys keys, forgetting the least recently used", () => {
    const time = clock();
    const limiter = new MemoryRateLimiter({ now: time.now, maxKeys: 100 });
    for (let i = 0; i < 5; i++) limiter.consume("hot", rule);
    for (let i = 0; i < 1000; i++) {
      limiter.consume(`flood-${i}`, rule);
      if (i % 50 === 0) limiter.consume("hot", rule);
    }
    expect(limiter.size).toBe(100);
    // "hot" stayed recent, so it is still remembered (and still limited).
    expect(limiter.consume("hot", rule).allowed).toBe(false);
  });

  test("refuses to let a flood of distinct forged addresses evict an API-key bucket", () => {
    const time = clock();
    const limiter = new MemoryRateLimiter({ now: time.now, maxKeys: 100 });
    for (let i = 0; i < 5; i++) limiter.consume("api-key:ci", rule);
    expect(limiter.consume("api-key:ci", rule).allowed).toBe(false);
    for (let i = 0; i < 2000; i++) limiter.consume(`ws-connect:198.51.${i >> 8}.${i & 255}`, rule);
    expect(limiter.consume("api-key:ci", rule).allowed).toBe(false);
    // Each bucket keeps its own capacity: the flood stays within the one it came in by.
    expect(limiter.size).toBe(101);
  });

  test("refuses to hold an over-long key as given: it is kept as a fixed-size digest", () => {
    const time = clock();
    const limiter = new MemoryRateLimiter({ now: time.now });
    const long = `ws-connect:${"x".repeat(8000)}`;
    for (let i = 0; i < 5; i++) limiter.consume(long, rule);
    expect(limiter.consume(long, rule).allowed).toBe(false);
    expect(limiter.consume(`ws-connect:${"x".repeat(7999)}y`, rule).allowed).toBe(true);
    expect(Math.max(...limiter.keys().map((key) => key.length))).toBeLessThanOrEqual(MAX_KEY_LENGTH);
  });

  test("caps how many buckets a key's prefix can open, so the prefix is no way around maxKeys", () => {
    const time = clock();
    const limiter = new MemoryRateLimiter({ now: time.now, maxKeys: 10 });
    for (let i = 0; i < 1000; i++) limiter.consume(`flood-${i}:x`, rule);
    expect(limiter.size).toBeLessThanOrEqual(10 * 65);
  });

  test("sweeping forgets keys whose bucket is full again", () => {
    const time = clock();
    const limiter = new MemoryRateLimiter({ now: time.now });
    limiter.consume("a", rule);
    for (let i = 0; i < 5; i++) limiter.consume("b", rule);
    time.advance(200);
    limiter.sweep();
    expect(limiter.size).toBe(1);
    time.advance(800);
    limiter.sweep();
    expect(limiter.size).toBe(0);
  });

  test("rejects a rule that cannot be enforced", () => {
    const limiter = new MemoryRateLimiter();
    expect(() => limiter.consume("k", { limit: 0, windowMs: 1000 })).toThrow("Invalid rate rule");
    expect(() => limiter.consume("k", { limit: 1, windowMs: Number.NaN })).toThrow("Invalid rate rule");
    expect(() => limiter.consume("k", rule, -1)).toThrow("Invalid rate rule");
  });
});
