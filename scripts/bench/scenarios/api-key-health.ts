// API-key guarded GET /coordinator/health: Tessera (api-key + coordinator plugins) against bare Elysia and
// Bun.serve doing the same constant-time check and count query inline, and NestJS with a guard doing them.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { keysCreate } from "../../../plugins/api-key/cli";
import { startNestPeer } from "../lib/nest-peer";
import { httpContender, type Scenario } from "../lib/scenario";
import { type ServerProcess, startServer } from "../lib/server-process";

const root = join(import.meta.dir, "..", "..", "..");
const bun = process.execPath;

export const apiKeyHealth: Scenario = {
  name: "api-key-health",
  title: "API-key guarded GET /coordinator/health",
  unit: "req/s",
  higherIsBetter: true,
  async prepare() {
    const dir = mkdtempSync(join(tmpdir(), "tessera-bench-"));
    const key = JSON.parse(keysCreate({ name: "bench", scopes: "coordinator" })) as { key: string; hash: string };
    // A second key, so both sides compare against more than one digest as a real deployment would.
    const other = JSON.parse(keysCreate({ name: "other", scopes: "chat" })) as { hash: string };
    writeFileSync(
      join(dir, "tessera.jsonc"),
      JSON.stringify({
        database: { url: "sqlite:./tessera.db" },
        log: { level: "warn" },
        plugins: {
          "api-key": {
            enabled: true,
            keys: [
              { name: "bench", hash: key.hash, scopes: ["coordinator"] },
              { name: "other", hash: other.hash, scopes: ["chat"] },
            ],
            protect: { "/coordinator": "coordinator", "/stitcher": "coordinator" },
            // The limiter is part of the guard's work, but a benchmark must not be throttled by it.
            rateLimit: { limit: 1_000_000_000, windowMs: 1000 },
          },
          coordinator: { enabled: true },
        },
      }),
    );
    const servers: ServerProcess[] = [];
    const start = async (argv: string[]) => {
      const server = await startServer(argv, { cwd: dir });
      servers.push(server);
      return server;
    };
    const tessera = await start([bun, join(root, "core", "main.ts"), "serve", "--port", "0"]);
    const bareArgv = (server: string) => [
      bun,
      join(import.meta.dir, "..", "contenders", "bare-api-key.ts"),
      join(dir, "tessera.db"),
      `${key.hash},${other.hash}`,
      server,
    ];
    const bare = await start(bareArgv("elysia"));
    const bareBun = await start(bareArgv("bun"));
    const nest = await startNestPeer({ dir, db: join(dir, "tessera.db"), apiKeyHashes: [key.hash, other.hash] });
    servers.push(nest);
    const headers = { "x-api-key": key.key };
    return {
      contenders: [
        httpContender("tessera", { url: `${tessera.url}/coordinator/health`, headers }),
        httpContender("bare-elysia", { url: `${bare.url}/coordinator/health`, headers }),
        httpContender("bare-bun", { url: `${bareBun.url}/coordinator/health`, headers }),
        httpContender("nestjs-express", { url: `${nest.url}/coordinator/health`, headers }),
      ],
      async cleanup() {
        for (const server of servers) await server.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};
