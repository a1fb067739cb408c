// Soak: two Tessera instances on PostgreSQL and Redis hold thousands of authenticated, subscribed
// WebSockets while coordinator jobs (API key) and session GET /me run at a steady rate; every interval
// it samples each instance's RSS and descriptors, open sockets, events delivered, HTTP errors and the
// p50/p99 of HTTP and publish→deliver. Exits non-zero on any error or if memory was not flat.
// Not CI: it needs PostgreSQL (database `test`, trust) and Redis locally, and minutes of a machine.
//   bun scripts/soak.ts [--minutes 10] [--sockets 10000] [--rps 100] [--room-size 100] [--sources 16]
//     [--lanes 32] [--interval 10] [--max-rss-growth 20] [--out .tmp/soak.json]
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { rssBytes } from "./bench/lib/proc";
import { startSoakCluster } from "./soak/cluster";
import { startHttpLoad } from "./soak/http-load";
import { formatTable, judge, latencySummary, type Sample } from "./soak/report";
import { openSockets } from "./soak/sockets";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    sockets: { type: "string", default: "10000" },
    rps: { type: "string", default: "100" },
    "room-size": { type: "string", default: "100" },
    sources: { type: "string", default: "16" },
    lanes: { type: "string", default: "32" },
    interval: { type: "string", default: "10" },
    "max-rss-growth": { type: "string", default: "20" },
    out: { type: "string", default: ".tmp/soak.json" },
  },
});
const minutes = Number(values.minutes);
const socketCount = Number(values.sockets);
const rps = Number(values.rps);
const roomSize = Number(values["room-size"]);
const intervalSeconds = Number(values.interval);
const maxRssGrowth = Number(values["max-rss-growth"]) / 100;
for (const [flag, value] of Object.entries({
  minutes,
  sockets: socketCount,
  rps,
  "room-size": roomSize,
  interval: intervalSeconds,
})) {
  if (!(value > 0)) throw new Error(`--${flag} expects a positive number`);
}
const log = (line: string) => console.error(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}`);
const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

/** Descriptors the client needs beyond its sockets: pipes, the HTTP pool, PostgreSQL and Redis. */
const SPARE_DESCRIPTORS = 512;
const checkDescriptorLimit = () => {
  // Bun raises its soft limit to the hard one at start, and the instances inherit it.
  const line = readFileSync("/proc/self/limits", "utf8")
    .split("\n")
    .find((each) => each.startsWith("Max open files"));
  const soft = Number(line?.split(/\s+/)[3]);
  const needed = socketCount + SPARE_DESCRIPTORS;
  if (!(soft >= needed))
    throw new Error(
      `${socketCount} sockets need ${needed} open files in this process, and the limit is ${soft}: raise the hard limit (ulimit -Hn, as root or in limits.conf) or pass fewer --sockets`,
    );
};

let cleanupCluster: (() => Promise<void>) | undefined;
let cleaning: Promise<void> | undefined;
const cleanup = () => {
  cleaning ??= cleanupCluster?.() ?? Promise.resolve();
  return cleaning;
};
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    log(`${signal}: stopping the instances and dropping the database`);
    void cleanup().finally(() => process.exit(130));
  });
}

const run = async () => {
  checkDescriptorLimit();
  const loadBefore = loadAverage();
  log(`load average before: ${loadBefore}`);
  const rooms = Math.ceil(socketCount / roomSize);
  const cluster = await startSoakCluster(rooms, log, (cleanup) => {
    cleanupCluster = cleanup;
  });
  const urls = cluster.instances.map((instance) => instance.url);
  const pids = cluster.instances.map((instance) => instance.process.pid);
  log(`instances ${urls.join(", ")} (pids ${pids.join(", ")}), ${rooms} workspaces`);

  const sentAt = new Map<string, number>();
  const opening = performance.now();
  const pool = await openSockets(
    {
      urls,
      tokens: cluster.users.tokens,
      workspaces: cluster.workspaces,
      count: socketCount,
      sources: Number(values.sources),
      concurrency: 64,
      sentAt,
    },
    (opened) => log(`${opened} sockets open`),
  );
  const openSeconds = (performance.now() - opening) / 1000;
  log(`${pool.open()} sockets open and subscribed in ${openSeconds.toFixed(1)} s; load at ${rps} requests/s for ${minutes} min`);

  let owed = 0;
  const load = startHttpLoad({
    urls,
    apiKey: cluster.apiKey,
    sessionTokens: cluster.users.tokens,
    workspaces: cluster.workspaces,
    requestsPerSecond: rps,
    lanes: Number(values.lanes),
    sentAt,
    onPublished: (workspaceId) => {
      owed += pool.roomSize(workspaceId);
    },
  });
  const samples: Sample[] = [];
  const runLatencies = { http: [] as number[], deliver: [] as number[] };
  const started = performance.now();
  let deliveredBefore = pool.delivered();
  const errorTotal = () => [...load.errors.values()].reduce((sum, count) => sum + count, 0);
  while (performance.now() - started < minutes * 60_000) {
    await Bun.sleep(Math.min(intervalSeconds * 1000, started + minutes * 60_000 - performance.now()));
    const http = load.take();
    const delivers = pool.takeLatencies();
    const httpLatency = latencySummary(http.latencies);
    const deliverLatency = latencySummary(delivers);
    for (const value of http.latencies) runLatencies.http.push(value);
    for (const value of delivers) runLatencies.deliver.push(value);
    const deliveredTotal = pool.delivered();
    const sample: Sample = {
      t: Math.round((performance.now() - started) / 1000),
      rssMb: pids.map((pid) => Math.round(rssBytes(pid) / 1024 / 102.4) / 10),
      fds: pids.map((pid) => readdirSync(`/proc/${pid}/fd`).length),
      openSockets: pool.open(),
      delivered: deliveredTotal - deliveredBefore,
      deliveredTotal,
      httpRequests: http.requests,
      httpErrorsTotal: errorTotal(),
      httpP50Ms: httpLatency.p50,
      httpP99Ms: httpLatency.p99,
      deliverP50Ms: deliverLatency.p50,
      deliverP99Ms: deliverLatency.p99,
    };
    deliveredBefore = deliveredTotal;
    samples.push(sample);
    log(
      `t=${sample.t}s rss ${sample.rssMb.join("/")} MB, ${sample.openSockets} sockets, ${sample.delivered} events, ${sample.httpRequests} requests (${sample.httpErrorsTotal} errors), HTTP p99 ${sample.httpP99Ms} ms, deliver p99 ${sample.deliverP99Ms} ms`,
    );
  }
  await load.stop();
  // Events still in flight when the load stopped get a grace period before they count as lost.
  const drainUntil = Date.now() + 15_000;
  while (pool.delivered() < owed && Date.now() < drainUntil) await Bun.sleep(50);
  const undelivered = Math.max(0, owed - pool.delivered());
  const closedByServer = [...pool.closes.values()].reduce((sum, count) => sum + count, 0);
  const verdict = judge(samples, { http: errorTotal(), closedByServer, undelivered }, maxRssGrowth);
  const loadAfter = loadAverage();

  const result = {
    command: `bun scripts/soak.ts ${process.argv.slice(2).join(" ")}`.trim(),
    settings: { minutes, sockets: socketCount, rps, roomSize, rooms, intervalSeconds, maxRssGrowth },
    loadAverage: { before: loadBefore, after: loadAfter },
    socketsOpenSeconds: Math.round(openSeconds * 10) / 10,
    wholeRunMs: { http: latencySummary(runLatencies.http), deliver: latencySummary(runLatencies.deliver) },
    eventsOwed: owed,
    eventsDelivered: pool.delivered(),
    undelivered,
    closesByCode: Object.fromEntries(pool.closes),
    httpErrors: Object.fromEntries(load.errors),
    httpErrorExamples: Object.fromEntries(load.examples),
    rss: verdict.rss,
    failures: verdict.failures,
    samples,
  };
  console.log(formatTable(samples));
  console.log(`load average before ${loadBefore}, after ${loadAfter}`);
  console.log(
    `whole run: HTTP p50 ${result.wholeRunMs.http.p50} / p99 ${result.wholeRunMs.http.p99} ms, publish→deliver p50 ${result.wholeRunMs.deliver.p50} / p99 ${result.wholeRunMs.deliver.p99} ms`,
  );
  console.log(`events: ${owed} owed, ${pool.delivered()} delivered; HTTP errors: ${JSON.stringify(result.httpErrors)}`);
  for (const [instance, rss] of verdict.rss.entries())
    console.log(
      `instance ${instance + 1} RSS: first third ${rss.firstThirdMb} MB, last third ${rss.lastThirdMb} MB (${Math.round(rss.growth * 100)}%)`,
    );
  const out = resolve(values.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`written to ${out}`);
  await pool.closeAll();
  return verdict.failures;
};

let failures: string[];
try {
  failures = await run();
} catch (error) {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  failures = ["the soak did not complete"];
} finally {
  await cleanup();
}
if (failures.length > 0) {
  console.error(`FAIL: ${failures.join("; ")}`);
  process.exit(1);
}
console.log("PASS: no errors, memory flat");
