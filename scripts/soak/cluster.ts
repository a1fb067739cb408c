// The soak's two Tessera instances on a fresh PostgreSQL database and Redis prefix, with the websocket,
// api-key and coordinator plugins, and their fixtures made the way an operator makes them: users and
// sessions with the CLI, the API key with `keys create`, workspaces through the API.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBenchStore } from "../bench/lib/postgres-redis";
import { type ServerProcess, startServer } from "../bench/lib/server-process";
import { runTessera, TESSERA_MAIN } from "../bench/lib/tessera-cli";
import { type BenchUsers, benchPlugins, createBenchUsers, createBenchWorkspaces } from "../bench/lib/ws-fixture";

export interface SoakCluster {
  instances: ServerProcess[];
  users: BenchUsers;
  apiKey: string;
  workspaces: string[];
  /** Stops the instances and drops the database, the Redis keys and the directory; safe after a partial start. */
  cleanup(): Promise<void>;
}

const soakConfig = (store: { databaseUrl: string; redis: { url: string; prefix: string } }, keyHash: string) => ({
  database: { url: store.databaseUrl },
  redis: store.redis,
  log: { level: "warn" },
  plugins: {
    // benchPlugins' limits: a few users hold thousands of sockets each from a few loopback addresses.
    websocket: benchPlugins.websocket,
    "api-key": {
      enabled: true,
      keys: [{ name: "soak", hash: keyHash, scopes: ["coordinator"] }],
      protect: { "/coordinator": "coordinator", "/stitcher": "coordinator" },
      // One key drives the whole load; the limiter still runs on every request.
      rateLimit: { limit: 1_000_000_000, windowMs: 1000 },
    },
    coordinator: { enabled: true },
  },
});

/** `onCleanup` gets the cleanup before anything is made, so an interrupted start is undone too. */
export const startSoakCluster = async (
  workspaceCount: number,
  log: (line: string) => void,
  onCleanup: (cleanup: () => Promise<void>) => void,
): Promise<SoakCluster> => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-soak-"));
  const instances: ServerProcess[] = [];
  let store: Awaited<ReturnType<typeof createBenchStore>> | undefined;
  const cleanup = async () => {
    await Promise.all(instances.splice(0).map((instance) => instance.stop()));
    rmSync(dir, { recursive: true, force: true });
    await store?.drop();
    store = undefined;
  };
  onCleanup(cleanup);
  try {
    store = await createBenchStore("tessera_soak");
    // `keys create` is the api-key plugin's command, so it runs on a config that enables the plugin (and has no key yet).
    writeFileSync(
      join(dir, "keys.jsonc"),
      JSON.stringify({ database: { url: store.databaseUrl }, plugins: { "api-key": { enabled: true } } }),
    );
    const keyArgs = ["keys", "create", "--name", "soak", "--scopes", "coordinator", "--config", "keys.jsonc"];
    const key = JSON.parse(await runTessera(dir, ...keyArgs)) as {
      key: string;
      hash: string;
    };
    writeFileSync(join(dir, "tessera.jsonc"), JSON.stringify(soakConfig(store, key.hash)));
    log(`database ${new URL(store.databaseUrl).pathname.slice(1)}, redis prefix ${store.redis.prefix}`);
    const users = await createBenchUsers(dir, "soak");
    for (let index = 0; index < 2; index++) {
      instances.push(
        await startServer([process.execPath, TESSERA_MAIN, "serve", "--port", "0", "--config", "tessera.jsonc"], { cwd: dir }),
      );
    }
    const [first] = instances;
    if (!first) throw new Error("no instance started");
    const workspaces = await createBenchWorkspaces(first.url, users, workspaceCount, "soak");
    return { instances, users, apiKey: key.key, workspaces, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
};
