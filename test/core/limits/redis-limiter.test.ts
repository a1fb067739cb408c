import { afterAll, describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { TesseraError } from "../../../core/errors/tessera-error";
import { boundedKey } from "../../../core/limits/rate-limiter";
import { RedisRateLimiter } from "../../../core/limits/redis-limiter";
import { clearPrefix, redisTestUrl, uniquePrefix } from "../../support/redis";

const url = await redisTestUrl();
const prefix = uniquePrefix("rl");
const limiters: RedisRateLimiter[] = [];

const limiter = (redisUrl: string) => {
  const made = new RedisRateLimiter({ url: redisUrl, prefix });
  limiters.push(made);
  return made;
};

afterAll(async () => {
  for (const made of limiters) await made.close();
  if (url) await clearPrefix(url, prefix);
});

describe.skipIf(!url)("RedisRateLimiter", () => {
  const redisUrl = url ?? "";

  test("is atomic: 50 parallel requests against a limit of 10 allow exactly 10", async () => {
    const rl = limiter(redisUrl);
    const decisions = await Promise.all(
      Array.from({ length: 50 }, () => rl.consume("parallel", { limit: 10, windowMs: 60_000 })),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
    expect(decisions.filter((d) => !d.allowed).every((d) => d.retryAfterMs > 0 && d.retryAfterMs <= 6000)).toBe(true);
  });

  test("two clients share one limit", async () => {
    const a = limiter(redisUrl);
    const b = limiter(redisUrl);
    const rule = { limit: 3, windowMs: 60_000 };
    expect((await a.consume("shared", rule)).remaining).toBe(2);
    expect((await b.consume("shared", rule)).remaining).toBe(1);
    expect((await a.consume("shared", rule)).remaining).toBe(0);
    const denied = await b.consume("shared", rule);
    expect(denied.allowed).toBe(false);
    // One request every 20 s; the first was taken a few ms ago.
    expect(denied.retryAfterMs).toBeGreaterThan(19_000);
    expect(denied.retryAfterMs).toBeLessThanOrEqual(20_000);
  });

  test("refills over time on the server's clock", async () => {
    const rl = limiter(redisUrl);
    const rule = { limit: 2, windowMs: 200 };
    await rl.consume("refill", rule);
    await rl.consume("refill", rule);
    expect((await rl.consume("refill", rule)).allowed).toBe(false);
    await Bun.sleep(120);
    expect((await rl.consume("refill", rule)).allowed).toBe(true);
  });

  test("keys are independent and expire once their bucket is full again", async () => {
    const rl = limiter(redisUrl);
    const rule = { limit: 1, windowMs: 5000 };
    expect((await rl.consume("one", rule)).allowed).toBe(true);
    expect((await rl.consume("one", rule)).allowed).toBe(false);
    expect((await rl.consume("two", rule)).allowed).toBe(true);
    const client = new RedisClient(redisUrl);
    const ttl = await client.send("PTTL", [`${prefix}one`]);
    client.close();
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5000);
  });

  test("refuses to store an over-long key as given: Redis holds a fixed-size digest", async () => {
    const rl = limiter(redisUrl);
    const rule = { limit: 1, windowMs: 5000 };
    const long = `ws-connect:${"x".repeat(8000)}`;
    expect((await rl.consume(long, rule)).allowed).toBe(true);
    expect((await rl.consume(long, rule)).allowed).toBe(false);
    expect((await rl.consume(`ws-connect:${"x".repeat(7999)}y`, rule)).allowed).toBe(true);
    const client = new RedisClient(redisUrl);
    const stored = await client.send("KEYS", [`${prefix}ws-connect:*`]);
    client.close();
    expect(stored).toHaveLength(2);
    expect(stored).toEqual([expect.stringMatching(/^.{1,300}$/), expect.stringMatching(/^.{1,300}$/)]);
    expect(stored).toContain(`${prefix}${boundedKey(long)}`);
  });

  test("reports ready", async () => {
    expect(await limiter(redisUrl).ready()).toBe(true);
  });
});

describe("RedisRateLimiter without Redis", () => {
  test("rejects with ERR_UNAVAILABLE instead of allowing", async () => {
    const rl = limiter("redis://127.0.0.1:1");
    const error = await rl.consume("k", { limit: 10, windowMs: 1000 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TesseraError);
    expect(error).toMatchObject({ code: "ERR_UNAVAILABLE", status: 503 });
    expect(await rl.ready()).toBe(false);
  });
});
