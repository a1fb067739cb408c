// Load for the Socket.IO peer, run on Node beside it. Opens N authenticated connections, then measures
// what --mode asks and prints one JSON line; the server's CPU time per operation comes along, a figure
// that holds even where the client, on the same machine, is the slower side.
//   connect    authenticated connects per second, each connect's latency
//   idle       server memory per idle, subscribed connection (start the server with --expose-gc)
//   broadcast  deliveries per second: every room gets --batch events a round, for --seconds
//   latency    publish→deliver latency: one event at a time to the first workspace's room
// node load-client.js --url URL --tokens FILE --connections N [--mode connect|idle|broadcast|latency]
//   [--client socket.io|wire] [--workspaces ID,ID…] [--concurrency 64] [--sources 4] [--seconds 5]
//   [--batch 10] [--bytes 100] [--samples 200]
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { percentile } from "../../lib/stats.js";
import { openPool, subscribeAll } from "./connect-pool.js";
import type { Connector, PeerConnection } from "./connection.js";
import { DeliveryCounter, publish } from "./deliveries.js";
import { libraryConnector } from "./library-client.js";
import type { ServerStats } from "./protocol.js";
import { wireConnector } from "./wire-client.js";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    tokens: { type: "string" },
    connections: { type: "string" },
    mode: { type: "string", default: "connect" },
    client: { type: "string", default: "socket.io" },
    workspaces: { type: "string", default: "" },
    concurrency: { type: "string", default: "64" },
    sources: { type: "string", default: "4" },
    seconds: { type: "string", default: "5" },
    batch: { type: "string", default: "10" },
    bytes: { type: "string", default: "100" },
    samples: { type: "string", default: "200" },
  },
});
const { url, tokens: tokensFile, mode } = values;
const connections = Number(values.connections);
if (!url || !tokensFile || !(connections > 0)) throw new Error("usage: load-client.js --url URL --tokens FILE --connections N …");
const tokens = readFileSync(tokensFile, "utf8")
  .split("\n")
  .map((line) => line.trim())
  .filter(Boolean);
if (tokens.length === 0) throw new Error(`${tokensFile} holds no session token`);
const workspaces = values.workspaces.split(",").filter(Boolean);

const round = (value: number) => Math.round(value * 100) / 100;
/** An event whose `data` is one string of --bytes characters. */
const data = { text: "x".repeat(Number(values.bytes)) };

const stats = async (collect: boolean): Promise<ServerStats> =>
  (await (await fetch(`${url}/stats${collect ? "?gc=1" : ""}`)).json()) as ServerStats;

type Measure = (pool: PeerConnection[], before: ServerStats) => Promise<Record<string, number>>;

const idle: Measure = async (pool, before) => {
  await subscribeAll(pool, workspaces);
  // Let the joins' garbage and the connections' buffers settle before reading the server's memory.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const after = await stats(true);
  return {
    serverConnections: after.connections,
    rssBytesPerConnection: Math.round((after.rssBytes - before.rssBytes) / connections),
    heapBytesPerConnection: Math.round((after.heapUsedBytes - before.heapUsedBytes) / connections),
  };
};

const broadcast: Measure = async (pool) => {
  await subscribeAll(pool, workspaces);
  const counter = new DeliveryCounter(pool);
  const batch = Number(values.batch);
  const cpuBefore = (await stats(false)).cpuMicros;
  const started = performance.now();
  while (performance.now() - started < Number(values.seconds) * 1000) {
    const from = counter.received;
    // Every connection is in exactly one room, so a round delivers batch × connections events.
    await Promise.all(workspaces.map((workspaceId) => publish(url, { workspaceId, event: "bench", data, count: batch })));
    await counter.awaitTotal(from, batch * connections);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = (await stats(false)).cpuMicros - cpuBefore;
  return {
    rooms: workspaces.length,
    deliveries: counter.received,
    deliveriesPerSecond: Math.round(counter.received / seconds),
    serverCpuUsPerDelivery: round(cpu / counter.received),
  };
};

const latency: Measure = async (pool) => {
  await subscribeAll(pool, workspaces);
  const counter = new DeliveryCounter(pool);
  const workspaceId = workspaces[0] ?? "";
  for (let sample = 0; sample < Number(values.samples); sample++) {
    const from = counter.received;
    counter.timeFromNow();
    const { recipients } = await publish(url, { workspaceId, event: "bench", data });
    await counter.awaitTotal(from, recipients);
  }
  const latencies = counter.latenciesMs;
  return {
    deliveries: latencies.length,
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(percentile(latencies, 100)),
  };
};

const measures: Record<string, Measure> = { connect: async () => ({}), idle, broadcast, latency };
const connectors: Record<string, Connector> = { "socket.io": libraryConnector, wire: wireConnector };
const measure = measures[mode];
const connector = connectors[values.client];
if (!measure) throw new Error(`unknown --mode ${mode}; known: ${Object.keys(measures).join(", ")}`);
if (!connector) throw new Error(`unknown --client ${values.client}; known: ${Object.keys(connectors).join(", ")}`);
if (mode !== "connect" && workspaces.length === 0) throw new Error(`--mode ${mode} needs --workspaces`);

const before = await stats(mode === "idle");
const pool = await openPool({
  url,
  tokens,
  connections,
  connector,
  concurrency: Number(values.concurrency),
  sources: Number(values.sources),
});
const connected = await stats(false);
const result = {
  mode,
  client: values.client,
  connections,
  connectsPerSecond: Math.round(connections / pool.seconds),
  connectP50Ms: round(percentile(pool.connectMs, 50)),
  connectP99Ms: round(percentile(pool.connectMs, 99)),
  serverCpuUsPerConnect: round((connected.cpuMicros - before.cpuMicros) / connections),
  ...(await measure(pool.connections, before)),
};
console.log(JSON.stringify(result));
for (const connection of pool.connections) connection.close();
