import { afterAll, describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { TesseraError } from "../../../core/errors/tessera-error";
import { RedisSlots } from "../../../core/limits/redis-slots";
import { MemorySlots } from "../../../core/limits/slots";
import { clearPrefix, redisTestUrl, uniquePrefix } from "../../support/redis";

const url = await redisTestUrl();
const prefix = uniquePrefix("slots");
const made: RedisSlots[] = [];

const slots = (redisUrl: string, leaseMs?: number) => {
  const created = new RedisSlots({ url: redisUrl, prefix, leaseMs });
  made.push(created);
  return created;
};

afterAll(async () => {
  for (const created of made) await created.close();
  if (url) await clearPrefix(url, prefix);
});

describe("MemorySlots", () => {
  test("allows max holders per key and frees a slot on release", () => {
    const memory = new MemorySlots();
    expect(memory.acquire("u", 2)).toBe(true);
    expect(memory.acquire("u", 2)).toBe(true);
    expect(memory.acquire("u", 2)).toBe(false);
    expect(memory.acquire("v", 2)).toBe(true);
    memory.release("u");
    expect(memory.acquire("u", 2)).toBe(true);
  });
});

describe.skipIf(!url)("RedisSlots", () => {
  const redisUrl = url ?? "";

  test("two instances share one count per key", async () => {
    const a = slots(redisUrl);
    const b = slots(redisUrl);
    expect(await a.acquire("user-1", 3, "a1")).toBe(true);
    expect(await b.acquire("user-1", 3, "b1")).toBe(true);
    expect(await a.acquire("user-1", 3, "a2")).toBe(true);
    expect(await b.acquire("user-1", 3, "b2")).toBe(false);
    a.release("user-1", "a1");
    await Bun.sleep(20);
    expect(await b.acquire("user-1", 3, "b2")).toBe(true);
  });

  test("is atomic: 20 parallel acquisitions against a max of 5 take exactly 5", async () => {
    const a = slots(redisUrl);
    const b = slots(redisUrl);
    const taken = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).acquire("parallel", 5, `h${i}`)));
    expect(taken.filter(Boolean)).toHaveLength(5);
  });

  test("slots of an instance that crashed (it stopped renewing) free themselves after the lease", async () => {
    // The crashed instance's holder, written as it would have left it: leased until 150 ms from now.
    const client = new RedisClient(redisUrl);
    const [seconds, micros] = (await client.send("TIME", [])) as [string, string];
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    await client.send("ZADD", [`${prefix}lease`, String(now + 150), "crashed"]);
    client.close();
    const alive = slots(redisUrl);
    expect(await alive.acquire("lease", 1, "here")).toBe(false);
    await Bun.sleep(200);
    expect(await alive.acquire("lease", 1, "here")).toBe(true);
  });

  test("an instance that closes gives its slots back at once", async () => {
    const leaving = slots(redisUrl);
    const staying = slots(redisUrl);
    expect(await leaving.acquire("rolling", 2, "l1")).toBe(true);
    expect(await leaving.acquire("rolling", 2, "l2")).toBe(true);
    await leaving.close();
    expect(await staying.acquire("rolling", 2, "s1")).toBe(true);
    expect(await staying.acquire("rolling", 2, "s2")).toBe(true);
  });

  test("renewal puts back what a Redis that lost its data forgot", async () => {
    const a = slots(redisUrl, 60_000);
    expect(await a.acquire("forgotten", 1, "a1")).toBe(true);
    const client = new RedisClient(redisUrl);
    await client.send("DEL", [`${prefix}forgotten`]);
    client.close();
    await a.renew();
    expect(await slots(redisUrl).acquire("forgotten", 1, "b1")).toBe(false);
  });
});

describe("RedisSlots without Redis", () => {
  test("fails closed: acquiring rejects with ERR_UNAVAILABLE", async () => {
    const errors: unknown[] = [];
    const dead = new RedisSlots({ url: "redis://127.0.0.1:1", prefix, onError: (error) => errors.push(error) });
    made.push(dead);
    const error = await dead.acquire("k", 5, "h").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TesseraError);
    expect(error).toMatchObject({ code: "ERR_UNAVAILABLE", status: 503 });
    expect(await dead.ready()).toBe(false);
  });
});
