// A trivial route (GET /probe/hello) served by a plugin isolated in its own Deno process, by the same
// plugin in-process, and by bare Elysia: what the process boundary costs a request.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { httpContender, type Scenario } from "../lib/scenario";
import { type ServerProcess, startServer } from "../lib/server-process";

const root = join(import.meta.dir, "..", "..", "..");
const bun = process.execPath;

const config = (isolation: "process" | "none") => ({
  database: { url: "sqlite:./tessera.db" },
  log: { level: "warn" },
  plugins: { "./probe": { enabled: true, isolation, permissions: { routes: ["/probe"] } } },
});

export const isolatedRoute: Scenario = {
  name: "isolated-route",
  title: "GET /probe/hello from an isolated plugin, the same plugin in-process, bare Elysia",
  unit: "req/s",
  higherIsBetter: true,
  async prepare() {
    const servers: ServerProcess[] = [];
    const dirs: string[] = [];
    const tessera = async (isolation: "process" | "none") => {
      const dir = mkdtempSync(join(tmpdir(), `tessera-bench-${isolation}-`));
      dirs.push(dir);
      cpSync(join(root, "test", "fixtures", "isolated-plugin"), join(dir, "probe"), { recursive: true });
      writeFileSync(join(dir, "tessera.jsonc"), JSON.stringify(config(isolation)));
      const server = await startServer([bun, join(root, "core", "main.ts"), "serve", "--port", "0"], { cwd: dir });
      servers.push(server);
      return server;
    };
    const isolated = await tessera("process");
    const inProcess = await tessera("none");
    const bare = await startServer([bun, join(import.meta.dir, "..", "contenders", "bare-probe-hello.ts")]);
    servers.push(bare);
    return {
      contenders: [
        httpContender("tessera-isolated", { url: `${isolated.url}/probe/hello` }),
        httpContender("tessera-in-process", { url: `${inProcess.url}/probe/hello` }),
        httpContender("bare-elysia", { url: `${bare.url}/probe/hello` }),
      ],
      async cleanup() {
        for (const server of servers) await server.stop();
        for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};
