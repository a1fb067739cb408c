// SIGHUP on a spoke: agent types and limits change for the next spawn while runs already going keep
// theirs; a type that can't run refuses the whole file; what is fixed at start is logged as such.
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { logged, reloadWith } from "../../support/reload-runtime";
import { ROOT } from "./support/runner-harness";
import { type Spoke, spokeConfig, startSpoke } from "./support/spoke-runtime";

const ECHO = ["bun", join(ROOT, "scripts/agents/echo.ts")];
const SLEEPER = ["bun", join(ROOT, "scripts/agents/sleeper.ts")];

let spoke: Spoke | undefined;
let logs: string[] = [];
afterEach(async () => {
  await spoke?.close();
  spoke = undefined;
  logs = [];
});

const start = async (federation: Record<string, unknown> = {}) => {
  spoke = await startSpoke({ federation, logs });
  return spoke;
};

const reload = (on: Spoke, federation: Record<string, unknown>) => reloadWith(on, spokeConfig(federation));

const spawn = (on: Spoke, body: Record<string, unknown>) =>
  on.request("/agents", { method: "POST", as: "member", body: JSON.stringify({ workspaceId: on.workspaceId, ...body }) });

const agent = async (on: Spoke, id: string) => (await on.request(`/agents/${id}`, { as: "member" })).json();

const settled = async (on: Spoke, id: string) => {
  for (let i = 0; i < 300; i++) {
    const found = await agent(on, id);
    if (found.status !== "queued" && found.status !== "running") return found;
    await Bun.sleep(20);
  }
  throw new Error(`agent ${id} did not finish`);
};

describe("reloading the federation plugin", () => {
  test("adds, changes and removes agent types for new spawns; a running agent runs on untouched", async () => {
    const on = await start();
    const running = await (await spawn(on, { agentType: "sleeper", input: { seconds: 30 } })).json();
    expect(running.status).toBe("running");

    await reload(on, { agents: { types: { sleeper: { command: SLEEPER, timeoutMs: 2000 }, repeat: { command: ECHO } } } });
    expect(logged(logs, "config reloaded")).toHaveLength(1);

    const removed = await spawn(on, { agentType: "echo" });
    expect(removed.status).toBe(422);
    expect(await removed.json()).toMatchObject({ code: "ERR_AGENT_TYPE" });
    const added = await (await spawn(on, { agentType: "repeat", input: { said: "hi" } })).json();
    expect(await settled(on, added.id)).toMatchObject({ status: "completed", output: '{"said":"hi"}\n' });
    const longer = await spawn(on, { agentType: "sleeper", timeoutMs: 5000 });
    expect(longer.status).toBe(422);
    expect(await longer.json()).toMatchObject({ code: "ERR_AGENT_TIMEOUT" });

    // Started with the old 10 s timeout: past the new type's 2 s it still runs.
    await Bun.sleep(2500);
    expect(await agent(on, running.id)).toMatchObject({ status: "running", timeoutMs: 10_000 });
    const killed = await (await on.request(`/agents/${running.id}/kill`, { method: "POST", as: "member" })).json();
    expect(killed.status).toBe("killed");
  }, 20_000);

  test("a lower maxConcurrent refuses the next spawn and leaves the running ones", async () => {
    const on = await start();
    const running = await (await spawn(on, { agentType: "sleeper", input: { seconds: 30 } })).json();

    await reload(on, { agents: { maxConcurrent: 1 } });
    const refused = await spawn(on, { agentType: "echo" });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ code: "ERR_AGENT_LIMIT" });
    expect((await agent(on, running.id)).status).toBe("running");
    await on.request(`/agents/${running.id}/kill`, { method: "POST", as: "member" });
  });

  test("a type whose program does not exist refuses the whole file, naming its path", async () => {
    const on = await start();
    await reload(on, { agents: { maxConcurrent: 1, types: { ghost: { command: ["./no-such-agent"] } } } });

    const [failure] = logged(logs, "config reload failed: keeping the running config");
    expect(JSON.stringify(failure)).toContain("plugins.federation.agents.types.ghost.command");
    const kept = await (await spawn(on, { agentType: "echo" })).json();
    expect((await settled(on, kept.id)).status).toBe("completed");
    expect((await spawn(on, { agentType: "sleeper", input: { seconds: 1 } })).status).toBe(201);
  });

  test("a type found on PATH needs a restart when PATH was not granted at start; the rest applies", async () => {
    const on = await start();
    await reload(on, {
      agents: { types: { echo: { command: ECHO }, shell: { command: ["true"] } } },
      guests: { signInsPerMinute: 1 },
    });

    const [restart] = logged(logs, "config change needs a restart to take effect");
    expect(restart?.paths).toEqual(["plugins.federation.agents.types"]);
    expect((await spawn(on, { agentType: "shell" })).status).toBe(422);
    expect((await spawn(on, { agentType: "sleeper", input: { seconds: 0 } })).status).toBe(201);
    // guests.signInsPerMinute applied: the second sign-in start from this address is refused.
    expect((await on.request("/auth/federated/no-such-peer")).status).toBe(404);
    expect((await on.request("/auth/federated/no-such-peer")).status).toBe(429);
  });

  test("the name, peer hosts, outbox policy and reconcile interval are logged as needing a restart", async () => {
    const on = await start({ name: "spoke one" });
    await reload(on, {
      name: "spoke two",
      peers: { allowedHosts: ["peer.example.com"], requestsPerMinute: 1 },
      delivery: { timeoutMs: 1000, baseDelayMs: 60, maxDelayMs: 200, outboxAttempts: 3 },
      reconcile: { intervalMs: 5000 },
    });

    const [restart] = logged(logs, "config change needs a restart to take effect");
    expect(restart?.paths).toEqual([
      "plugins.federation.name",
      "plugins.federation.peers.allowedHosts",
      "plugins.federation.delivery.outboxAttempts",
      "plugins.federation.delivery.baseDelayMs",
      "plugins.federation.reconcile.intervalMs",
    ]);
    const identity = await (await on.request("/.well-known/tessera")).json();
    expect(identity.name).toBe("spoke one");
  });
});
