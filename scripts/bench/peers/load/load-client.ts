// The WebSocket load client, one for every contender (plain node:net, which binds a source address on
// Node and on Bun; the bench runs it on Bun, where it costs less CPU). It opens N authenticated
// connections spread over 127.0.0.x, then does what --mode asks and prints one JSON line; the scenario
// reads the server's memory and CPU itself from /proc.
//   connect    authenticated connects per second (and each connect's latency)
//   idle       connects and subscribes, prints {"held":N}, and holds the connections until stdin ends
//   broadcast  deliveries per second: every room gets --batch events a round, for --seconds
//   hold       holds the connections for --seconds while --rate events a second go to the rooms in
//              turn; publish→deliver latency of every delivery; a connection lost is an error
// bun load-client.js --dialect tessera|socket.io --url WS_URL[,WS_URL…] --publish URL --tokens FILE --connections N
//   [--mode connect|idle|broadcast|hold] [--workspaces ID,ID…] [--concurrency 64] [--sources 8]
//   [--seconds 5] [--batch 20] [--bytes 100] [--rate 100]
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { percentile } from "../../lib/stats.js";
import { type Dialect, dialects, type LoadConnection } from "./dialects.js";

const { values } = parseArgs({
  options: {
    dialect: { type: "string" },
    url: { type: "string" },
    publish: { type: "string" },
    tokens: { type: "string" },
    connections: { type: "string" },
    mode: { type: "string", default: "connect" },
    workspaces: { type: "string", default: "" },
    concurrency: { type: "string", default: "64" },
    sources: { type: "string", default: "8" },
    seconds: { type: "string", default: "5" },
    batch: { type: "string", default: "20" },
    bytes: { type: "string", default: "100" },
    rate: { type: "string", default: "100" },
  },
});
const dialect: Dialect | undefined = dialects[values.dialect ?? ""];
const connections = Number(values.connections);
if (!dialect || !values.url || !values.publish || !values.tokens || !(connections > 0)) {
  throw new Error("usage: load-client.js --dialect tessera|socket.io --url WS_URL --publish URL --tokens FILE --connections N …");
}
// Several comma-separated URLs spread the connections over instances so that every room has members on each.
const urls = values.url.split(",").map((each) => new URL(each));
const publishUrl = values.publish;
const tokens = readFileSync(values.tokens, "utf8").split("\n").filter(Boolean);
const workspaces = values.workspaces.split(",").filter(Boolean);
const seconds = Number(values.seconds);
/** An event whose `data` is one string of --bytes characters. */
const data = { text: "x".repeat(Number(values.bytes)) };
const round = (value: number) => Math.round(value * 100) / 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const openPool = async () => {
  const pool: LoadConnection[] = [];
  const connectMs: number[] = [];
  const sources = Number(values.sources);
  let next = 0;
  const lane = async () => {
    for (let index = next++; index < connections; index = next++) {
      const opened = performance.now();
      const token = tokens[index % tokens.length] ?? "";
      const url = urls[Math.floor(index / Math.max(1, workspaces.length)) % urls.length];
      if (!url) throw new Error("--url names no URL");
      pool[index] = await dialect(url, token, `127.0.0.${1 + (index % sources)}`);
      connectMs.push(performance.now() - opened);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Number(values.concurrency) }, lane));
  return { pool, connectMs, seconds: (performance.now() - started) / 1000 };
};

/** Connection i joins workspaces[i mod k]; a connection the server closes from now on is counted. */
const subscribeAll = async (pool: LoadConnection[]) => {
  const closes = new Map<number, number>();
  for (const connection of pool) connection.onClose((code) => closes.set(code, (closes.get(code) ?? 0) + 1));
  let next = 0;
  const lane = async () => {
    for (let index = next++; index < pool.length; index = next++)
      await pool[index]?.subscribe(workspaces[index % workspaces.length] ?? "");
  };
  await Promise.all(Array.from({ length: Number(values.concurrency) }, lane));
  return closes;
};

const assertNoneClosed = (closes: Map<number, number>) => {
  if (closes.size > 0) throw new Error(`the server closed connections: ${JSON.stringify(Object.fromEntries(closes))}`);
};

const publish = async (workspaceId: string, count: number) => {
  const response = await fetch(publishUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ workspaceId, event: "bench", data, count }),
  });
  if (!response.ok) throw new Error(`publish answered ${response.status}: ${await response.text()}`);
};

/** Resolves when `done()` holds; a round whose deliveries have not all arrived in 10 s has lost some. */
const until = async (done: () => boolean, what: string) => {
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(1);
  }
};

type Measure = (pool: LoadConnection[]) => Promise<Record<string, number>>;

const idle: Measure = async (pool) => {
  const closes = await subscribeAll(pool);
  console.log(JSON.stringify({ held: pool.length }));
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.once("end", resolve));
  assertNoneClosed(closes);
  return {};
};

const broadcast: Measure = async (pool) => {
  const closes = await subscribeAll(pool);
  let received = 0;
  for (const connection of pool) connection.onEvent(() => received++);
  // Every connection is in exactly one room, so a round delivers batch × connections events.
  const perRound = Number(values.batch) * pool.length;
  let published = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    await Promise.all(workspaces.map((workspaceId) => publish(workspaceId, Number(values.batch))));
    published += perRound;
    // One round may still be in flight while the next is published, so the server never waits on the client.
    await until(() => received >= published - perRound || closes.size > 0, "a round's deliveries");
    assertNoneClosed(closes);
  }
  await until(() => received >= published || closes.size > 0, "the last round's deliveries");
  assertNoneClosed(closes);
  const elapsed = (performance.now() - started) / 1000;
  return { rooms: workspaces.length, deliveries: received, deliveriesPerSecond: Math.round(received / elapsed) };
};

const hold: Measure = async (pool) => {
  const closes = await subscribeAll(pool);
  // The k-th event a connection receives is the k-th published to its room (each is delivered once,
  // in order), so its latency is measured against that publish's send time, with no decoding.
  const sentAt: number[][] = workspaces.map(() => []);
  const latencies: number[] = [];
  pool.forEach((connection, index) => {
    const room = sentAt[index % workspaces.length] ?? [];
    let seen = 0;
    connection.onEvent(() => latencies.push(performance.now() - (room[seen++] ?? Number.NaN)));
  });
  const interval = 1000 / Number(values.rate);
  const started = performance.now();
  const publishes: Promise<void>[] = [];
  for (let n = 0; performance.now() - started < seconds * 1000; n++) {
    await sleep(Math.max(0, started + n * interval - performance.now()));
    const room = n % workspaces.length;
    sentAt[room]?.push(performance.now());
    publishes.push(publish(workspaces[room] ?? "", 1));
  }
  await Promise.all(publishes);
  const expected = sentAt.reduce(
    (sum, times, room) => sum + times.length * Math.ceil((pool.length - room) / workspaces.length),
    0,
  );
  await until(() => latencies.length >= expected || closes.size > 0, "the last deliveries");
  assertNoneClosed(closes);
  return {
    deliveries: latencies.length,
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(percentile(latencies, 100)),
  };
};

const measures: Record<string, Measure> = { connect: async () => ({}), idle, broadcast, hold };
const measure = measures[values.mode];
if (!measure) throw new Error(`unknown --mode ${values.mode}; known: ${Object.keys(measures).join(", ")}`);
if (values.mode !== "connect" && workspaces.length === 0) throw new Error(`--mode ${values.mode} needs --workspaces`);

const opened = await openPool();
const result = {
  connections,
  connectsPerSecond: Math.round(connections / opened.seconds),
  connectP50Ms: round(percentile(opened.connectMs, 50)),
  connectP99Ms: round(percentile(opened.connectMs, 99)),
  ...(await measure(opened.pool)),
};
console.log(JSON.stringify(result));
await Promise.all(opened.pool.map((connection) => connection.close()));
