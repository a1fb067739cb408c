import { afterAll, describe, expect, test } from "bun:test";
import { TesseraError } from "../../../core/errors/tessera-error";
import { RedisSingleUse } from "../../../core/limits/redis-single-use";
import { MemorySingleUse } from "../../../core/limits/single-use";
import { clearPrefix, redisTestUrl, uniquePrefix } from "../../support/redis";

const url = await redisTestUrl();
const prefix = uniquePrefix("once");
const stores: RedisSingleUse[] = [];

const store = (redisUrl: string) => {
  const made = new RedisSingleUse({ url: redisUrl, prefix });
  stores.push(made);
  return made;
};

afterAll(async () => {
  for (const made of stores) await made.close();
  if (url) await clearPrefix(url, prefix);
});

describe("MemorySingleUse", () => {
  test("remembers a key until it expires, then forgets it", () => {
    let now = 0;
    const once = new MemorySingleUse(() => now);
    expect(once.claim("a", 30_000)).toBe(true);
    expect(once.claim("a", 30_000)).toBe(false);
    now = 40_000;
    expect(once.claim("b", 70_000)).toBe(true);
    expect(once.size).toBe(1);
    expect(once.claim("a", 70_000)).toBe(true);
  });
});

describe.skipIf(!url)("RedisSingleUse", () => {
  const redisUrl = url ?? "";

  test("a key claimed through one client is refused through another", async () => {
    const a = store(redisUrl);
    const b = store(redisUrl);
    const expiresAt = Date.now() + 30_000;
    expect(await a.claim("ticket-1", expiresAt)).toBe(true);
    expect(await b.claim("ticket-1", expiresAt)).toBe(false);
    expect(await a.claim("ticket-1", expiresAt)).toBe(false);
    expect(await b.claim("ticket-2", expiresAt)).toBe(true);
  });

  test("of many parallel claims of one key exactly one wins", async () => {
    const clients = [store(redisUrl), store(redisUrl)];
    const expiresAt = Date.now() + 30_000;
    const wins = await Promise.all(Array.from({ length: 20 }, (_, i) => clients[i % 2]?.claim("race", expiresAt)));
    expect(wins.filter(Boolean)).toHaveLength(1);
  });

  test("a marker is forgotten once it expires", async () => {
    const once = store(redisUrl);
    expect(await once.claim("short", Date.now() + 50)).toBe(true);
    await Bun.sleep(120);
    expect(await once.claim("short", Date.now() + 50)).toBe(true);
  });
});

describe("RedisSingleUse without Redis", () => {
  test("fails closed: a claim rejects with ERR_UNAVAILABLE instead of answering true", async () => {
    const once = store("redis://127.0.0.1:1");
    const error = await Promise.resolve(once.claim("k", Date.now() + 1000)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TesseraError);
    expect(error).toMatchObject({ code: "ERR_UNAVAILABLE", status: 503 });
    expect(await once.ready()).toBe(false);
  });
});
