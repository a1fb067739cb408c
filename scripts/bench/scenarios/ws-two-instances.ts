// Scale-out: the same WebSocket load on one Tessera instance and on two behind no balancer (the load
// client spreads each room's subscribers over both), on PostgreSQL and Redis; events are published
// through the first instance, so half of every room's deliveries cross Redis to the other. One instance
// on PostgreSQL without Redis (events in memory) shows what Redis itself costs. Two figures: broadcast
// deliveries per second, and the p99 of publish→deliver at 100 events a second.
// Needs PostgreSQL and Redis: TESSERA_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test)
// and TESSERA_BENCH_REDIS_URL (default redis://127.0.0.1:6379).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBenchStore } from "../lib/postgres-redis";
import type { Scenario } from "../lib/scenario";
import { type ServerProcess, startServer } from "../lib/server-process";
import { TESSERA_MAIN } from "../lib/tessera-cli";
import { benchPlugins, createBenchUsers, createBenchWorkspaces } from "../lib/ws-fixture";
import { buildPeers, wsLoadArgv } from "../peers/peers";

const ROOMS = 10;
const ROOM_SIZE = 100;
const BATCH = 20;
const bun = process.execPath;
interface Cluster {
  dir: string;
  tokensFile: string;
  workspaces: string[];
  /** `count` fresh instances on the shared database, and Redis unless `redis` is false. */
  start(count: number, redis: boolean): Promise<ServerProcess[]>;
  cleanup(): Promise<void>;
}

const makeCluster = async (): Promise<Cluster> => {
  await buildPeers();
  const store = await createBenchStore("tessera_bench");
  const dir = mkdtempSync(join(tmpdir(), "tessera-bench-scale-"));
  const cleanup = async () => {
    rmSync(dir, { recursive: true, force: true });
    await store.drop();
  };
  try {
    const config = {
      database: { url: store.databaseUrl },
      log: { level: "warn" },
      plugins: benchPlugins,
    };
    writeFileSync(join(dir, "tessera.jsonc"), JSON.stringify({ ...config, redis: store.redis }));
    writeFileSync(join(dir, "memory.jsonc"), JSON.stringify(config));
    const users = await createBenchUsers(dir, "scale");
    const start = (count: number, redis: boolean) =>
      Promise.all(
        Array.from({ length: count }, () =>
          startServer([bun, TESSERA_MAIN, "serve", "--port", "0", "--config", redis ? "tessera.jsonc" : "memory.jsonc"], {
            cwd: dir,
          }),
        ),
      );
    const [setup] = await start(1, true);
    if (!setup) throw new Error("no instance to make the workspaces on");
    let workspaces: string[];
    try {
      workspaces = await createBenchWorkspaces(setup.url, users, ROOMS, "scale");
    } finally {
      await setup.stop();
    }
    return { dir, tokensFile: users.tokensFile, workspaces, start, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
};

const runLoad = async (cluster: Cluster, servers: ServerProcess[], flags: string[]) => {
  const [first] = servers;
  if (!first) throw new Error("no server to publish through");
  const target = [
    "--dialect",
    "tessera",
    "--url",
    servers.map((server) => `${server.url.replace(/^http/, "ws")}/ws`).join(","),
    "--publish",
    `${first.url}/bench/publish`,
  ];
  const common = ["--tokens", cluster.tokensFile, "--connections", String(ROOMS * ROOM_SIZE)];
  const child = Bun.spawn(wsLoadArgv([...target, ...common, "--workspaces", cluster.workspaces.join(","), ...flags]), {
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (code !== 0) throw new Error(`load client exited ${code}: ${err}`);
  return JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as Record<string, number>;
};

const scenario = (latency: boolean): Scenario => ({
  name: latency ? "ws-two-instances-p99" : "ws-two-instances",
  title: latency
    ? `p99 publish→deliver, 100 events/s to ${ROOMS} rooms of ${ROOM_SIZE}: one instance vs two (PostgreSQL + Redis)`
    : `Broadcast deliveries, ${ROOMS} rooms × ${ROOM_SIZE}, ${BATCH} per room a round: one instance vs two (PostgreSQL + Redis)`,
  unit: latency ? "ms" : "deliveries/s",
  higherIsBetter: !latency,
  async prepare() {
    const cluster = await makeCluster();
    return {
      contenders: [
        { name: "one instance, no Redis", count: 1, redis: false },
        { name: "one instance", count: 1, redis: true },
        { name: "two instances", count: 2, redis: true },
      ].map(({ name, count, redis }) => ({
        name,
        async measure(seconds: number) {
          // Fresh instances each sample, so no sample inherits another's sockets.
          const servers = await cluster.start(count, redis);
          try {
            const flags = latency
              ? ["--mode", "hold", "--seconds", String(seconds), "--rate", "100"]
              : ["--mode", "broadcast", "--seconds", String(seconds), "--batch", String(BATCH), "--bytes", "100"];
            const result = await runLoad(cluster, servers, flags);
            return (latency ? result.p99Ms : result.deliveriesPerSecond) ?? 0;
          } finally {
            await Promise.all(servers.map((server) => server.stop()));
          }
        },
      })),
      cleanup: () => cluster.cleanup(),
    };
  },
});

export const wsTwoInstances = scenario(false);
export const wsTwoInstancesP99 = scenario(true);
