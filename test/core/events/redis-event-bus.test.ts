import { afterAll, describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { TesseraError } from "../../../core/errors/tessera-error";
import type { WorkspaceEvent } from "../../../core/events/event-bus";
import { RedisEventBus, type RedisEventBusOptions } from "../../../core/events/redis-event-bus";
import { createLogger } from "../../../core/log/json-logger";
import { clearPrefix, killSubscribers, redisTestUrl, uniquePrefix } from "../../support/redis";

const url = await redisTestUrl();
const prefixes: string[] = [];
const buses: RedisEventBus[] = [];

const logger = createLogger({ write: () => {} });

/** Two (or more) buses sharing one namespace: two instances of the same deployment. */
const cluster = (redisUrl: string, count: number, options: Partial<RedisEventBusOptions> = {}) => {
  const prefix = uniquePrefix("ev");
  prefixes.push(prefix);
  return Array.from({ length: count }, () => {
    const bus = new RedisEventBus({ url: redisUrl, prefix, logger, ...options });
    buses.push(bus);
    return bus;
  });
};

const until = async (condition: () => boolean | Promise<boolean>, timeoutMs = 3000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await Bun.sleep(10);
  }
};

const pair = <T>(items: T[]): [T, T] => {
  const [first, second] = items;
  if (first === undefined || second === undefined) throw new Error("expected two");
  return [first, second];
};

afterAll(async () => {
  for (const bus of buses) await bus.close();
  if (url) for (const prefix of prefixes) await clearPrefix(url, prefix);
});

describe.skipIf(!url)("RedisEventBus", () => {
  const redisUrl = url ?? "";

  test("an event published on one instance reaches the other in order, with the same ids", async () => {
    const [a, b] = pair(cluster(redisUrl, 2));
    expect(await a.ready()).toBe(true);
    expect(await b.ready()).toBe(true);
    const received: WorkspaceEvent[] = [];
    b.subscribe("ws", (event) => received.push(event));
    const published: WorkspaceEvent[] = [];
    for (let i = 0; i < 20; i++) published.push(await a.publish("ws", "job.progress", { i }));
    await until(() => received.length === 20);
    expect(received).toEqual(published);
    expect(published.map((event) => event.id)).toEqual(Array.from({ length: 20 }, (_, i) => String(i + 1)));
  });

  // Not awaiting each lets the publishes share round trips to Redis, and their deliveries share frames.
  test("publishes started together are numbered and delivered in the order they were made", async () => {
    const [a, b] = pair(cluster(redisUrl, 2));
    expect(await b.ready()).toBe(true);
    const received: WorkspaceEvent[] = [];
    b.subscribe("ws", (event) => received.push(event));
    const published = await Promise.all(Array.from({ length: 20 }, (_, i) => a.publish("ws", "job.progress", { i })));
    expect(published.map((event) => [event.id, event.data])).toEqual(
      Array.from({ length: 20 }, (_, i) => [String(i + 1), { i }]),
    );
    await until(() => received.length === 20);
    expect(received).toEqual(published);
  });

  test("concurrent publishers on both instances: every instance sees one order, by id", async () => {
    const [a, b] = pair(cluster(redisUrl, 2));
    await Promise.all([a.ready(), b.ready()]);
    const onA: string[] = [];
    const onB: string[] = [];
    a.subscribeAll((event) => onA.push(event.id));
    b.subscribeAll((event) => onB.push(event.id));
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).publish("ws", "e", i)));
    await until(() => onA.length === 40 && onB.length === 40);
    const expected = Array.from({ length: 40 }, (_, i) => String(i + 1));
    expect(onA).toEqual(expected);
    expect(onB).toEqual(expected);
  });

  test("replays on one instance what another published", async () => {
    const [a, b] = pair(cluster(redisUrl, 2));
    for (let i = 0; i < 5; i++) await a.publish("ws", "e", { i });
    const replay = await b.replay("ws", "2");
    expect(replay.gap).toBe(false);
    expect(replay.events.map((event) => [event.id, event.data])).toEqual([
      ["3", { i: 2 }],
      ["4", { i: 3 }],
      ["5", { i: 4 }],
    ]);
    expect((await b.replay("ws", "0", 2)).events.map((event) => event.id)).toEqual(["1", "2"]);
    expect(await b.replay("ws", "5")).toEqual({ events: [], gap: false });
  });

  test("flags a gap when history was trimmed past `since`", async () => {
    const [a, b] = pair(cluster(redisUrl, 2, { historySize: 3 }));
    for (let i = 0; i < 6; i++) await a.publish("ws", "e", i);
    const gapped = await b.replay("ws", "1");
    expect(gapped.gap).toBe(true);
    expect(gapped.events.map((event) => event.id)).toEqual(["4", "5", "6"]);
    expect((await b.replay("ws", "3")).gap).toBe(false);
  });

  test("a throwing listener does not stop the others", async () => {
    const [a] = pair(cluster(redisUrl, 2));
    await a.ready();
    const seen: string[] = [];
    a.subscribe("ws", () => {
      throw new Error("broken");
    });
    a.subscribe("ws", (event) => seen.push(event.id));
    await a.publish("ws", "e", null);
    await a.publish("ws", "e", null);
    await until(() => seen.length === 2);
    expect(seen).toEqual(["1", "2"]);
  });

  test("after losing its subscriber connection, an instance reconnects and replays what it missed", async () => {
    const [a, b] = pair(cluster(redisUrl, 2, { minBackoffMs: 300, maxBackoffMs: 300 }));
    await Promise.all([a.ready(), b.ready()]);
    const received: string[] = [];
    b.subscribe("ws", (event) => received.push(event.id));
    await a.publish("ws", "e", 1);
    await until(() => received.length === 1);

    expect(await killSubscribers(redisUrl, b.subscriberName)).toBeGreaterThan(0);
    await until(async () => !(await b.ready()));
    await a.publish("ws", "e", 2);
    await a.publish("ws", "e", 3);

    await until(() => b.ready());
    await a.publish("ws", "e", 4);
    await until(() => received.length >= 4);
    await Bun.sleep(50);
    expect(received).toEqual(["1", "2", "3", "4"]);
  });
  test("ids keep rising after Redis lost its counter and history (a restart without persistence)", async () => {
    const [a, b] = pair(cluster(redisUrl, 2));
    await Promise.all([a.ready(), b.ready()]);
    const received: string[] = [];
    b.subscribe("reset", (event) => received.push(event.id));
    await a.publish("reset", "e", 1);
    await a.publish("reset", "e", 2);
    await until(() => received.length === 2);

    const client = new RedisClient(redisUrl);
    const prefix = prefixes.at(-1) ?? "";
    await client.send("DEL", [`${prefix}reset:seq`, `${prefix}reset:log`]);
    client.close();
    expect((await a.publish("reset", "e", 3)).id).toBe("3");
    await until(() => received.length === 3);
    expect(received).toEqual(["1", "2", "3"]);
  });
});

describe("RedisEventBus without Redis", () => {
  test("publish rejects with ERR_UNAVAILABLE and ready() is false", async () => {
    const bus = new RedisEventBus({ url: "redis://127.0.0.1:1", prefix: "unused:", logger });
    buses.push(bus);
    const error = await bus.publish("ws", "e", null).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TesseraError);
    expect(error).toMatchObject({ code: "ERR_UNAVAILABLE" });
    expect(await bus.ready()).toBe(false);
  });
});
