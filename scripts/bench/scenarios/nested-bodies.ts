// GET /me while other clients post bodies nested 10,000 deep (no credentials, as anyone who reaches the
// port could): the ratio to GET /me alone is what such bodies cost everyone else. Measured with fetch
// loops from this process, so it runs where wrk is not installed.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Contender, Scenario } from "../lib/scenario";
import { startServer } from "../lib/server-process";
import { runTessera } from "../lib/tessera-cli";

const root = join(import.meta.dir, "..", "..", "..");
const NESTED = `${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`;
const CLIENTS = 8;
const ATTACKERS = 6;

/** Requests per second from `clients` concurrent loops over `send`, for `seconds`. */
const loop = async (clients: number, seconds: number, send: () => Promise<unknown>) => {
  const until = performance.now() + seconds * 1000;
  let count = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        await send();
        count++;
      }
    }),
  );
  return count / seconds;
};

export const nestedBodies: Scenario = {
  name: "nested-bodies",
  title: "GET /me alone and beside clients posting bodies nested 10,000 deep",
  unit: "req/s",
  higherIsBetter: true,
  async prepare() {
    const dir = mkdtempSync(join(tmpdir(), "tessera-bench-"));
    writeFileSync(
      join(dir, "tessera.jsonc"),
      JSON.stringify({ database: { url: "sqlite:./tessera.db" }, log: { level: "warn" } }),
    );
    await runTessera(dir, "users", "create", "--email", "bench@example.com");
    const token = await runTessera(dir, "sessions", "create", "--email", "bench@example.com", "--ttl", "1d");
    const server = await startServer([process.execPath, join(root, "core", "main.ts"), "serve", "--port", "0"], { cwd: dir });
    const me = async () => {
      const response = await fetch(`${server.url}/me`, { headers: { authorization: `Bearer ${token}` } });
      if (response.status !== 200) throw new Error(`GET /me answered ${response.status}`);
      await response.arrayBuffer();
    };
    const nested = async () => {
      const response = await fetch(`${server.url}/workspaces`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: NESTED,
      });
      await response.arrayBuffer();
    };
    const contenders: Contender[] = [
      { name: "me-alone", measure: (seconds) => loop(CLIENTS, seconds, me) },
      {
        name: "me-beside-nested",
        async measure(seconds) {
          const attack = loop(ATTACKERS, seconds, nested);
          const rate = await loop(CLIENTS, seconds, me);
          await attack;
          return rate;
        },
      },
      { name: "nested-answered", measure: (seconds) => loop(ATTACKERS, seconds, nested) },
    ];
    return {
      contenders,
      async cleanup() {
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};
