// Shared by the federation scenarios: a spoke (`tessera serve` with federation, its own SQLite file) that
// has this bench process peered as an active hub with every command granted, and one finished agent the
// hub spawned. The hub side is the plugin's own code (keys, signing, response checks) run in process.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Value } from "@sinclair/typebox/value";
import { migrate } from "../../../core/db/migrate";
import { openDatabase } from "../../../core/db/open-database";
import { createScopedFetch } from "../../../core/plugins/scoped-fetch";
import { insertAgent } from "../../../plugins/federation/agents/agent-store";
import { FederationConfigSchema } from "../../../plugins/federation/config";
import { readDocument } from "../../../plugins/federation/identity/document";
import { KeyStore } from "../../../plugins/federation/identity/key-store";
import { PeerCache, type PeerEntry } from "../../../plugins/federation/peers/peer-cache";
import { savePeer } from "../../../plugins/federation/peers/peer-store";
import type { SendDeps } from "../../../plugins/federation/wire/send";
import { type ServerProcess, startServer } from "../lib/server-process";

const root = join(import.meta.dir, "..", "..", "..");

export interface BenchSpoke {
  server: ServerProcess;
  /** A scratch directory, removed by cleanup. */
  dir: string;
  /** The hub's side: what sendMessage needs, and the spoke as a pinned peer. */
  hub: SendDeps;
  spoke: PeerEntry;
  /** A completed agent the hub spawned there, for agent.status. */
  agentId: string;
  cleanup(): Promise<void>;
}

const ALL = { commands: ["agent.spawn", "agent.status", "agent.kill", "agent.list"] as const, agentTypes: ["echo"] };

export const startBenchSpoke = async (): Promise<BenchSpoke> => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-fed-bench-"));
  const hubDb = await openDatabase("sqlite::memory:");
  await migrate(hubDb);
  const keys = await KeyStore.open(hubDb);
  const hubId = crypto.randomUUID();
  const agentId = crypto.randomUUID();
  const now = Date.now();

  // Peering is seeded into the spoke's database, as if its admin had accepted this hub.
  const spokeDb = await openDatabase(`sqlite:${join(dir, "tessera.db")}`);
  try {
    await migrate(spokeDb);
    await savePeer(spokeDb, {
      id: hubId,
      url: "http://127.0.0.1:9",
      name: "bench hub",
      status: "active",
      keys: keys.publicJwks(),
      grants: { commands: [...ALL.commands], agentTypes: ALL.agentTypes },
      createdAt: now,
      updatedAt: now,
    });
    await insertAgent(spokeDb, {
      id: agentId,
      peerId: hubId,
      runsOn: null,
      workspaceId: null,
      agentType: "echo",
      status: "completed",
      input: { bench: true },
      timeoutMs: 60_000,
      commandId: crypto.randomUUID(),
      createdAt: now,
    });
  } finally {
    await spokeDb.close();
  }
  writeFileSync(
    join(dir, "tessera.jsonc"),
    JSON.stringify({
      database: { url: "sqlite:./tessera.db" },
      log: { level: "warn" },
      plugins: {
        federation: { enabled: true, agents: { types: { echo: { command: ["bun", join(root, "scripts/agents/echo.ts")] } } } },
      },
    }),
  );
  const server = await startServer([process.execPath, join(root, "core", "main.ts"), "serve", "--port", "0"], { cwd: dir });
  const document = await readDocument(await (await fetch(`${server.url}/.well-known/tessera`)).json());
  const spoke = await new PeerCache(hubDb).put({
    id: document.id,
    url: server.url,
    name: document.name,
    status: "active",
    keys: document.keys,
    grants: { commands: [], agentTypes: [] },
    createdAt: now,
    updatedAt: now,
  });
  const hub: SendDeps = {
    self: { id: hubId, name: "bench hub", url: "http://127.0.0.1:9" },
    keys,
    fetch: createScopedFetch("federation", [new URL(server.url).host]),
    config: Value.Create(FederationConfigSchema),
  };
  return {
    server,
    dir,
    hub,
    spoke,
    agentId,
    async cleanup() {
      await server.stop();
      await hubDb.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
