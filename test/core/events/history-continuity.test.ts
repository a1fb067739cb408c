// Replay must say when it cannot prove that nothing was lost after `since`: a history that restarted
// (an instance restart on the in-memory bus, a Redis restart without persistence) or ids it never issued.
import { afterAll, describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { MemoryEventBus } from "../../../core/events/memory-event-bus";
import { RedisEventBus } from "../../../core/events/redis-event-bus";
import { createLogger } from "../../../core/log/json-logger";
import { clearPrefix, redisTestUrl, uniquePrefix } from "../../support/redis";

const url = await redisTestUrl();
const logger = createLogger({ write: () => {} });
const prefixes: string[] = [];
const buses: RedisEventBus[] = [];

const redisBus = (redisUrl: string, prefix: string) => {
  const bus = new RedisEventBus({ url: redisUrl, prefix, logger });
  buses.push(bus);
  return bus;
};

/** What a Redis restart without persistence leaves of a deployment's keys: nothing. */
const forgetEverything = async (redisUrl: string, prefix: string) => clearPrefix(redisUrl, prefix);

afterAll(async () => {
  for (const bus of buses) await bus.close();
  if (url) for (const prefix of prefixes) await clearPrefix(url, prefix);
});

describe("MemoryEventBus continuity", () => {
  test("reports a gap for a `since` from before an instance restart (ids this history never issued)", async () => {
    const before = new MemoryEventBus({ logger });
    for (let i = 0; i < 3; i++) await before.publish("ws", "e", i);
    const restarted = new MemoryEventBus({ logger });
    expect(await restarted.replay("ws", "3")).toEqual({ events: [], gap: true });
    await restarted.publish("ws", "e", "after");
    expect((await restarted.replay("ws", "3")).gap).toBe(true);
  });

  test("a `since` of 0 on a fresh workspace, or the newest id, is continuous", async () => {
    const bus = new MemoryEventBus({ logger });
    expect(await bus.replay("fresh", "0")).toEqual({ events: [], gap: false });
    await bus.publish("ws", "e", 1);
    expect(await bus.replay("ws", "1")).toEqual({ events: [], gap: false });
  });
});

describe.skipIf(!url)("RedisEventBus continuity", () => {
  const redisUrl = url ?? "";

  test("reports a gap when Redis lost the history a `since` points into", async () => {
    const prefix = uniquePrefix("cont");
    prefixes.push(prefix);
    const bus = redisBus(redisUrl, prefix);
    await bus.ready();
    for (let i = 0; i < 3; i++) await bus.publish("ws", "e", i);
    await forgetEverything(redisUrl, prefix);
    expect(await bus.replay("ws", "3")).toEqual({ events: [], gap: true });
  });

  test("reports a gap across a restart even once new events continue the ids", async () => {
    const prefix = uniquePrefix("cont");
    prefixes.push(prefix);
    const bus = redisBus(redisUrl, prefix);
    await bus.ready();
    const seen: string[] = [];
    bus.subscribe("ws", (event) => seen.push(event.id));
    for (let i = 0; i < 3; i++) await bus.publish("ws", "e", i);
    const deadline = Date.now() + 3000;
    while (seen.length < 3 && Date.now() < deadline) await Bun.sleep(10);
    await forgetEverything(redisUrl, prefix);
    // Whatever a producer published while Redis was away was never numbered: 3 → 4 proves nothing.
    const next = await bus.publish("ws", "e", "after");
    expect(next.id).toBe("4");
    const resumed = await bus.replay("ws", "3");
    expect(resumed.gap).toBe(true);
    expect(resumed.events.map((event) => event.id)).toEqual(["4"]);
    expect((await bus.replay("ws", "4")).gap).toBe(false);
  });

  test("another instance that started after the restart still marks its history as restarted", async () => {
    const prefix = uniquePrefix("cont");
    prefixes.push(prefix);
    const early = redisBus(redisUrl, prefix);
    await early.ready();
    await early.publish("ws", "e", 1);
    await forgetEverything(redisUrl, prefix);
    const client = new RedisClient(redisUrl);
    try {
      // The key a restarted Redis would have got from an instance started after it.
      await client.send("SET", [`${prefix}epoch`, "a-later-epoch"]);
    } finally {
      client.close();
    }
    await early.publish("other", "e", 1);
    expect((await early.replay("other", "0")).gap).toBe(true);
  });

  test("a fresh deployment's first events are continuous from 0", async () => {
    const prefix = uniquePrefix("cont");
    prefixes.push(prefix);
    const bus = redisBus(redisUrl, prefix);
    await bus.ready();
    await bus.publish("ws", "e", 1);
    expect(await bus.replay("ws", "0")).toMatchObject({ gap: false });
    expect(await bus.replay("empty", "0")).toEqual({ events: [], gap: false });
  });
});
