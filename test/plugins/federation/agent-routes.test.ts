// POST /agents and friends: members run agents of the configured types on this instance, idempotently
// with commandId; the workspace's event stream carries every state change.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { WorkspaceEvent } from "../../../core/events/event-bus";
import { type Spoke, startSpoke } from "./support/spoke-runtime";

describe("agents on this instance", () => {
  let spoke: Spoke;
  const events: WorkspaceEvent[] = [];

  beforeAll(async () => {
    spoke = await startSpoke();
    spoke.runtime.events.subscribe(spoke.workspaceId, (event) => events.push(event));
  });
  afterAll(() => spoke.close());

  const spawn = (body: Record<string, unknown>, as: "admin" | "member" = "member") =>
    spoke.request("/agents", { method: "POST", as, body: JSON.stringify({ workspaceId: spoke.workspaceId, ...body }) });
  const settled = async (id: string) => {
    for (let i = 0; i < 200; i++) {
      const agent = await (await spoke.request(`/agents/${id}`, { as: "member" })).json();
      if (agent.status !== "queued" && agent.status !== "running") return agent;
      await Bun.sleep(20);
    }
    throw new Error(`agent ${id} did not finish`);
  };

  test("a member spawns an agent, reads its output and sees it on the workspace's stream", async () => {
    const response = await spawn({ agentType: "echo", input: { n: 1 } });
    expect(response.status).toBe(201);
    const agent = await response.json();
    expect(agent).toMatchObject({ agentType: "echo", workspaceId: spoke.workspaceId, runsOn: null, status: "running" });
    expect(await settled(agent.id)).toMatchObject({ status: "completed", exitCode: 0, output: '{"n":1}\n' });
    const mine = events.filter((event) => event.event === "agent.updated" && (event.data as { id: string }).id === agent.id);
    expect(mine.map((event) => (event.data as { status: string }).status)).toEqual(["queued", "running", "completed"]);
    const listed = await (await spoke.request(`/agents?workspaceId=${spoke.workspaceId}`, { as: "member" })).json();
    expect(listed.agents[0].id).toBe(agent.id);
  });

  test("the same commandId returns the same agent (200); other arguments are 422", async () => {
    const first = await spawn({ agentType: "echo", commandId: "cmd-1", input: { a: 1 } });
    expect(first.status).toBe(201);
    const again = await spawn({ agentType: "echo", commandId: "cmd-1", input: { a: 1 } });
    expect(again.status).toBe(200);
    expect((await again.json()).id).toBe((await first.json()).id);
    const conflict = await spawn({ agentType: "echo", commandId: "cmd-1", input: { a: 2 } });
    expect(conflict.status).toBe(422);
    expect((await conflict.json()).code).toBe("ERR_FED_COMMAND_CONFLICT");
  });

  test("kill ends a running agent and is idempotent", async () => {
    const agent = await (await spawn({ agentType: "sleeper", input: { seconds: 30 } })).json();
    const killed = await (await spoke.request(`/agents/${agent.id}/kill`, { method: "POST", as: "member" })).json();
    expect(killed.status).toBe("killed");
    const again = await (await spoke.request(`/agents/${agent.id}/kill`, { method: "POST", as: "member" })).json();
    expect(again).toEqual(killed);
  });

  test("non-members get 404 for the workspace and its agents; anonymous callers 401", async () => {
    const agent = await (await spawn({ agentType: "echo" })).json();
    // The admin is an instance administrator but not a member of this workspace.
    expect((await spawn({ agentType: "echo" }, "admin")).status).toBe(404);
    expect((await spoke.request(`/agents/${agent.id}`, { as: "admin" })).status).toBe(404);
    expect((await spoke.request(`/agents/${agent.id}/kill`, { method: "POST", as: "admin" })).status).toBe(404);
    expect((await spoke.request(`/agents/${agent.id}`)).status).toBe(401);
  });

  test("an unknown type is 422 and a body with unknown fields is refused", async () => {
    expect((await spawn({ agentType: "nope" })).status).toBe(422);
    expect((await spawn({ agentType: "echo", shell: "rm -rf /" })).status).toBe(422);
  });
});
