// An AgentRunner on a migrated in-memory database with the example agents as types, recording every
// change it reports, for runner tests that need no HTTP.
import { join } from "node:path";
import type { Database } from "../../../../core/db/database";
import { migrate } from "../../../../core/db/migrate";
import { openDatabase } from "../../../../core/db/open-database";
import { createLogger } from "../../../../core/log/json-logger";
import { type AgentRecord, getAgent } from "../../../../plugins/federation/agents/agent-store";
import { resolveAgentTypes } from "../../../../plugins/federation/agents/agent-types";
import { AgentRunner, type RunnerLimits } from "../../../../plugins/federation/agents/runner";
import type { AgentTypeConfig } from "../../../../plugins/federation/config";

export const ROOT = join(import.meta.dir, "..", "..", "..", "..");

export const EXAMPLE_TYPES = {
  echo: { command: ["bun", "scripts/agents/echo.ts"], timeoutMs: 10_000 },
  sleeper: { command: ["bun", "scripts/agents/sleeper.ts"], timeoutMs: 10_000 },
  envdump: {
    command: ["bun", "-e", "process.stdout.write(JSON.stringify(process.env))"],
    env: { ONLY_THIS: "yes" },
  },
};

export interface RunnerHarness {
  db: Database;
  runner: AgentRunner;
  changes: AgentRecord[];
  close(): Promise<void>;
}

export const HARNESS_INSTANCE = "harness:1";

/**
 * A runner of its own instance id; with `shared`, on another harness's database (which that one closes);
 * `types` adds agent types to the examples.
 */
export const startRunner = async (
  limits: Partial<RunnerLimits> = {},
  shared?: Database,
  types: Record<string, AgentTypeConfig> = {},
): Promise<RunnerHarness> => {
  const db = shared ?? (await openDatabase("sqlite::memory:"));
  if (!shared) await migrate(db);
  const changes: AgentRecord[] = [];
  const settings = {
    types: resolveAgentTypes({ ...EXAMPLE_TYPES, ...types }, ROOT, () => undefined),
    limits: { maxConcurrent: 4, maxConcurrentPerPeer: 2, killGraceMs: 300, outputTailBytes: 1024, ...limits },
  };
  const runner = new AgentRunner({
    db,
    log: createLogger({ level: "error", write: () => {} }),
    instanceId: shared ? `harness:${crypto.randomUUID()}` : HARNESS_INSTANCE,
    settings: () => settings,
    cwd: ROOT,
    onChange: async (agent) => {
      changes.push(agent);
    },
  });
  return {
    db,
    runner,
    changes,
    close: async () => {
      await runner.terminateAll("lost");
      if (!shared) await db.close();
    },
  };
};

/** Polls until the agent is no longer queued or running. */
export const settledAgent = async (db: Database, id: string, timeoutMs = 8000): Promise<AgentRecord> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const agent = await getAgent(db, id);
    if (agent && agent.status !== "queued" && agent.status !== "running") return agent;
    if (Date.now() > deadline) throw new Error(`agent ${id} still ${agent?.status} after ${timeoutMs} ms`);
    await Bun.sleep(20);
  }
};
