// Two real instances: a hub kills an agent it spawned on a spoke, and nothing the agent started is left
// running on the spoke, not only its first process.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { FORKING_SCRIPT, markerFile, reap, shellType, survivors, waitForPids } from "../support/agent-processes";
import { ALL_COMMANDS, type Instance, startFederatedPair, stopPair, until } from "../support/federated-pair";

const ROOT = join(import.meta.dir, "..", "..");

describe("a hub killing an agent on a spoke", () => {
  const marker = markerFile();
  let hub: Instance;
  let spoke: Instance;
  let workspaceId: string;

  beforeAll(async () => {
    ({ hub, spoke } = await startFederatedPair({
      spoke: {
        agents: {
          types: {
            echo: { command: ["bun", join(ROOT, "scripts/agents/echo.ts")], timeoutMs: 5000 },
            forking: shellType(FORKING_SCRIPT, marker),
          },
          killGraceMs: 300,
        },
      },
      grants: { commands: ALL_COMMANDS, agentTypes: ["forking"] },
    }));
    workspaceId = (await (await hub.call("POST", "/workspaces", hub.admin, { name: "kill" })).json()).id;
  }, 60_000);

  afterAll(async () => {
    reap(marker);
    await stopPair({ hub, spoke });
  });

  test("kill through the hub leaves no process of the agent on the spoke", async () => {
    const spawned = await hub.call("POST", `/federation/peers/${spoke.id}/agents`, hub.admin, {
      workspaceId,
      agentType: "forking",
    });
    expect(spawned.status).toBe(201);
    const agent = await spawned.json();
    const pids = await waitForPids(marker, 3);
    const killed = await hub.call("POST", `/federation/peers/${spoke.id}/agents/${agent.id}/kill`, hub.admin);
    expect(killed.status).toBe(200);
    expect(await survivors(pids)).toEqual([]);
    const status = await until(
      async () => (await (await hub.call("GET", `/federation/peers/${spoke.id}/agents/${agent.id}`, hub.admin)).json()).status,
      (current) => current !== "running" && current !== "queued",
      "agent ended",
    );
    expect(status).toBe("killed");
  });
});
