// Faults: an instance killed -9 while an agent runs. Its agents run in their own sessions, so they
// survive the crash; the restarted instance (same database, same instance id) must end them before it
// calls the run lost, or they would run on with nobody to stop them.
import { afterEach, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { FORKING_SCRIPT, markerFile, reap, shellType, survivors, waitForPids } from "../../support/agent-processes";
import { freePort } from "../../support/free-port";
import { type ServedInstance, serveProcess } from "../../support/serve-process";
import { makeTempDir } from "../../support/test-runtime";

const ADMIN = "admin@example.com";

const config = (port: number, marker: string) => ({
  server: { publicUrl: `http://127.0.0.1:${port}`, allowedOrigins: [`http://127.0.0.1:${port}`] },
  database: { url: "sqlite:./tessera.db" },
  admins: [ADMIN],
  plugins: {
    federation: {
      enabled: true,
      name: "crashing",
      agents: { types: { forking: shellType(FORKING_SCRIPT, marker) }, killGraceMs: 300 },
    },
  },
});

const adminToken = async (served: ServedInstance) => {
  await served.cli("users", "create", "--email", ADMIN);
  const session = await served.cli("sessions", "create", "--email", ADMIN);
  if (session.code !== 0) throw new Error(`sessions create: ${session.stderr}`);
  return session.stdout.trim();
};

describe("an instance killed -9 during an agent", () => {
  const marker = markerFile();
  const dir = makeTempDir("agent-crash-");
  const running: ServedInstance[] = [];
  afterEach(async () => {
    reap(marker);
    await Promise.all(running.map((served) => served.stop("SIGKILL")));
    rmSync(dir, { recursive: true, force: true });
  });

  test("on restart on the same database, no process of the agent is left and the agent is lost", async () => {
    const port = await freePort();
    const before = await serveProcess(config(port, marker), { port, dir });
    running.push(before);
    const token = await adminToken(before);
    const call = async (served: ServedInstance, method: string, path: string, body?: unknown) => {
      const response = await fetch(`${served.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    };
    const workspace = await call(before, "POST", "/workspaces", { name: "crash" });
    expect(workspace.status).toBe(201);
    const spawned = await call(before, "POST", "/agents", { workspaceId: workspace.body.id, agentType: "forking" });
    expect(spawned.status).toBe(201);
    const pids = await waitForPids(marker, 3);

    before.process.kill("SIGKILL");
    await before.process.exited;
    // Nothing ended the agent's session with the instance: the crash alone leaves it running.
    expect(await survivors(pids, 0)).toEqual(pids);

    const after = await serveProcess(config(port, marker), { port, dir });
    running.push(after);
    expect(await survivors(pids)).toEqual([]);
    const agent = await call(after, "GET", `/agents/${spawned.body.id}`);
    expect(agent.body.status).toBe("lost");
  }, 60_000);
});
