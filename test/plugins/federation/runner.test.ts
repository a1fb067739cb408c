import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { getAgent, insertAgent, loseInterrupted } from "../../../plugins/federation/agents/agent-store";
import { HARNESS_INSTANCE, type RunnerHarness, settledAgent, startRunner } from "./support/runner-harness";

describe("the agent runner", () => {
  let h: RunnerHarness;
  beforeEach(async () => {
    h = await startRunner();
  });
  afterEach(() => h.close());

  const local = { peerId: null, workspaceId: null };

  test("runs a type's argv with the task on stdin and records completed, exit code 0 and the output", async () => {
    const { agent, created } = await h.runner.spawn({ ...local, agentType: "echo", input: { hello: "world" } });
    expect(created).toBe(true);
    expect(agent.status).toBe("running");
    const done = await settledAgent(h.db, agent.id);
    expect(done.status).toBe("completed");
    expect(done.exitCode).toBe(0);
    expect(done.output).toBe('{"hello":"world"}\n');
    expect(done.startedAt).toBeNumber();
    expect(done.endedAt).toBeNumber();
    expect(h.changes.filter((change) => change.id === agent.id).map((change) => change.status)).toEqual([
      "queued",
      "running",
      "completed",
    ]);
  });

  test("a non-zero exit is failed, with its code", async () => {
    const { agent } = await h.runner.spawn({ ...local, agentType: "echo", input: { exitCode: 3 } });
    const done = await settledAgent(h.db, agent.id);
    expect(done.status).toBe("failed");
    expect(done.exitCode).toBe(3);
  });

  test("the agent's environment holds only the type's configured variables", async () => {
    const { agent } = await h.runner.spawn({ ...local, agentType: "envdump" });
    const done = await settledAgent(h.db, agent.id);
    const env = JSON.parse(done.output ?? "{}");
    expect(env.ONLY_THIS).toBe("yes");
    expect(env.PATH).toBeUndefined();
    expect(env.HOME).toBeUndefined();
  });

  test("an unknown type is 422 ERR_AGENT_TYPE, and a timeout above the type's is refused", async () => {
    await expect(h.runner.spawn({ ...local, agentType: "nope" })).rejects.toMatchObject({ code: "ERR_AGENT_TYPE", status: 422 });
    await expect(h.runner.spawn({ ...local, agentType: "echo", timeoutMs: 10_001 })).rejects.toMatchObject({
      code: "ERR_AGENT_TIMEOUT",
      status: 422,
    });
  });

  test("a run past its timeout is timed_out", async () => {
    const { agent } = await h.runner.spawn({ ...local, agentType: "sleeper", input: { seconds: 30 }, timeoutMs: 300 });
    const done = await settledAgent(h.db, agent.id);
    expect(done.status).toBe("timed_out");
    expect(done.output).toContain("tick 1");
  });

  test("kill sends SIGTERM and records killed; killing again returns the same record", async () => {
    const { agent } = await h.runner.spawn({ ...local, agentType: "sleeper", input: { seconds: 30 } });
    const killed = await h.runner.kill(agent.id);
    expect(killed.status).toBe("killed");
    expect(killed.endedAt).toBeNumber();
    expect(await h.runner.kill(agent.id)).toEqual(killed);
  });

  test("an agent that ignores SIGTERM is ended by SIGKILL after the grace period", async () => {
    const { agent } = await h.runner.spawn({ ...local, agentType: "sleeper", input: { seconds: 30, ignoreTerm: true } });
    await Bun.sleep(150);
    const started = Date.now();
    const killed = await h.runner.kill(agent.id);
    expect(killed.status).toBe("killed");
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(killed.output).toContain("ignoring SIGTERM");
  });

  test("the global limit refuses with 429 ERR_AGENT_LIMIT and Retry-After; a slot frees when a run ends", async () => {
    const limited = await startRunner({ maxConcurrent: 1 });
    try {
      const { agent } = await limited.runner.spawn({ ...local, agentType: "sleeper", input: { seconds: 30 } });
      const refusal = limited.runner.spawn({ ...local, agentType: "echo" });
      await expect(refusal).rejects.toMatchObject({ code: "ERR_AGENT_LIMIT", status: 429, headers: { "Retry-After": "5" } });
      await limited.runner.kill(agent.id);
      const next = await limited.runner.spawn({ ...local, agentType: "echo" });
      expect((await settledAgent(limited.db, next.agent.id)).status).toBe("completed");
    } finally {
      await limited.close();
    }
  });

  test("the per-peer limit counts each peer's runs apart", async () => {
    const limited = await startRunner({ maxConcurrentPerPeer: 1 });
    try {
      const sleep = { agentType: "sleeper", input: { seconds: 30 }, workspaceId: null };
      await limited.runner.spawn({ ...sleep, peerId: "peer-a" });
      await expect(limited.runner.spawn({ ...sleep, peerId: "peer-a" })).rejects.toMatchObject({ code: "ERR_AGENT_LIMIT" });
      const other = await limited.runner.spawn({ ...sleep, peerId: "peer-b" });
      expect(other.agent.status).toBe("running");
      expect(limited.runner.running()).toBe(2);
    } finally {
      await limited.close();
    }
  });

  test("the same commandId and arguments give the same agent; other arguments are 422", async () => {
    const request = { peerId: "peer-a", workspaceId: null, agentType: "echo", input: { a: 1, b: 2 }, commandId: "c-1" };
    const first = await h.runner.spawn(request);
    const again = await h.runner.spawn({ ...request, input: { b: 2, a: 1 } });
    expect(again.created).toBe(false);
    expect(again.agent.id).toBe(first.agent.id);
    await expect(h.runner.spawn({ ...request, input: { a: 2 } })).rejects.toMatchObject({
      code: "ERR_FED_COMMAND_CONFLICT",
      status: 422,
    });
    // The same commandId from another peer is that peer's own command.
    const other = await h.runner.spawn({ ...request, peerId: "peer-b" });
    expect(other.agent.id).not.toBe(first.agent.id);
  });

  test("concurrent spawns with one commandId start one agent", async () => {
    const request = { peerId: "peer-a", workspaceId: null, agentType: "echo", commandId: "c-2" };
    const results = await Promise.all([h.runner.spawn(request), h.runner.spawn(request), h.runner.spawn(request)]);
    expect(new Set(results.map((result) => result.agent.id)).size).toBe(1);
    expect(results.filter((result) => result.created)).toHaveLength(1);
  });

  test("terminateAll ends one peer's runs only", async () => {
    const sleep = { agentType: "sleeper", input: { seconds: 30 }, workspaceId: null };
    const a = await h.runner.spawn({ ...sleep, peerId: "peer-a" });
    const b = await h.runner.spawn({ ...sleep, peerId: "peer-b" });
    await h.runner.terminateAll("killed", "peer-a");
    expect((await getAgent(h.db, a.agent.id))?.status).toBe("killed");
    expect((await getAgent(h.db, b.agent.id))?.status).toBe("running");
  });

  test("runs this instance's previous process left queued or running are marked lost on the next start", async () => {
    const base = {
      peerId: null,
      runsOn: null,
      workspaceId: null,
      agentType: "echo",
      input: null,
      timeoutMs: 1000,
      commandId: null,
    };
    const mine = { ...base, instanceId: HARNESS_INSTANCE };
    await insertAgent(h.db, { ...mine, id: "was-running", status: "running", createdAt: Date.now() });
    await insertAgent(h.db, { ...mine, id: "was-done", status: "completed", createdAt: Date.now() });
    await insertAgent(h.db, { ...base, id: "mirror", runsOn: "peer-a", status: "running", createdAt: Date.now() });
    await insertAgent(h.db, { ...base, id: "elsewhere", instanceId: "other:3000", status: "running", createdAt: Date.now() });
    // Recorded before runs named their instance: nobody can tell whose it was.
    await insertAgent(h.db, { ...base, id: "unnamed", status: "queued", createdAt: Date.now() });
    const lost = await loseInterrupted(h.db, HARNESS_INSTANCE);
    expect(lost.map((agent) => agent.id).sort()).toEqual(["unnamed", "was-running"]);
    expect((await getAgent(h.db, "was-running"))?.status).toBe("lost");
    expect((await getAgent(h.db, "was-done"))?.status).toBe("completed");
    expect((await getAgent(h.db, "mirror"))?.status).toBe("running");
    expect((await getAgent(h.db, "elsewhere"))?.status).toBe("running");
  });
});

describe("two instances' runners on one database", () => {
  let owner: RunnerHarness;
  let other: RunnerHarness;
  beforeEach(async () => {
    owner = await startRunner();
    other = await startRunner({}, owner.db);
  });
  afterEach(async () => {
    await other.close();
    await owner.close();
  });

  test("a kill received by the other instance is carried out by the one running the agent", async () => {
    const { agent } = await owner.runner.spawn({ peerId: null, workspaceId: null, agentType: "sleeper", input: { seconds: 30 } });
    expect(agent.instanceId).toBe(HARNESS_INSTANCE);
    const killed = await other.runner.kill(agent.id);
    expect(killed.status).toBe("killed");
    expect(owner.runner.running()).toBe(0);
    expect(owner.changes.at(-1)?.status).toBe("killed");
  });

  test("a kill the running instance does not carry out fails with ERR_AGENT_ELSEWHERE", async () => {
    await insertAgent(owner.db, {
      id: "orphan",
      peerId: null,
      runsOn: null,
      instanceId: "crashed:3000",
      workspaceId: null,
      agentType: "sleeper",
      status: "running",
      input: null,
      timeoutMs: 1000,
      commandId: null,
      createdAt: Date.now(),
    });
    await expect(other.runner.kill("orphan")).rejects.toMatchObject({ code: "ERR_AGENT_ELSEWHERE", status: 504 });
    expect((await getAgent(owner.db, "orphan"))?.status).toBe("running");
  }, 10_000);
});
