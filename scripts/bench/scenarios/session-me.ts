// Session-authenticated GET /me: Tessera (core, SQLite) against bare Elysia and Bun.serve doing the same
// lookup inline, and NestJS on Express (Node) with a guard doing it.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNestPeer } from "../lib/nest-peer";
import { httpContender, type Scenario } from "../lib/scenario";
import { type ServerProcess, startServer } from "../lib/server-process";
import { runTessera } from "../lib/tessera-cli";

const root = join(import.meta.dir, "..", "..", "..");
const bun = process.execPath;
const main = join(root, "core", "main.ts");

// A CLI-made session token, sent as the bearer token an API client uses or as the cookie a browser
// sends after signing in through the oidc plugin.
const sessionScenario = (via: "bearer" | "cookie"): Scenario => ({
  name: via === "bearer" ? "session-me" : "session-cookie-me",
  title: `Session-authenticated GET /me by ${via === "bearer" ? "bearer token" : "cookie"} (SQLite lookup + workspaces)`,
  unit: "req/s",
  higherIsBetter: true,
  async prepare() {
    const dir = mkdtempSync(join(tmpdir(), "tessera-bench-"));
    const config = { database: { url: "sqlite:./tessera.db" }, log: { level: "warn" }, plugins: {} };
    writeFileSync(join(dir, "tessera.jsonc"), JSON.stringify(config));
    // The same instance with its session cache off: every request reads the session from SQLite, as the bare contenders do.
    writeFileSync(join(dir, "uncached.jsonc"), JSON.stringify({ ...config, sessionCache: { ttlMs: 0 } }));
    await runTessera(dir, "users", "create", "--email", "bench@example.com");
    const token = await runTessera(dir, "sessions", "create", "--email", "bench@example.com", "--ttl", "1d");
    const servers: ServerProcess[] = [];
    const start = async (argv: string[]) => {
      const server = await startServer(argv, { cwd: dir });
      servers.push(server);
      return server;
    };
    const db = join(dir, "tessera.db");
    const tessera = await start([bun, main, "serve", "--port", "0"]);
    const uncached = await start([bun, main, "serve", "--port", "0", "--config", "uncached.jsonc"]);
    // One workspace so both sides list something.
    await fetch(`${tessera.url}/workspaces`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "bench" }),
    });
    const bareArgv = (server: string) => [bun, join(import.meta.dir, "..", "contenders", "bare-session.ts"), db, server];
    const bare = await start(bareArgv("elysia"));
    const bareBun = await start(bareArgv("bun"));
    const nest = await startNestPeer({ dir, db });
    servers.push(nest);
    const headers: Record<string, string> =
      via === "bearer" ? { authorization: `Bearer ${token}` } : { cookie: `tessera_session=${token}` };
    return {
      contenders: [
        httpContender("tessera", { url: `${tessera.url}/me`, headers }),
        httpContender("tessera-uncached", { url: `${uncached.url}/me`, headers }),
        httpContender("bare-elysia", { url: `${bare.url}/me`, headers }),
        httpContender("bare-bun", { url: `${bareBun.url}/me`, headers }),
        httpContender("nestjs-express", { url: `${nest.url}/me`, headers }),
      ],
      async cleanup() {
        for (const server of servers) await server.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});

export const sessionMe = sessionScenario("bearer");
export const sessionCookieMe = sessionScenario("cookie");
