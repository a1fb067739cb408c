// An agent's processes end with it: kill, timeout and a first process's exit reach the whole group, and
// a restart ends what a crashed process left running, never a process that merely got a reused pid.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { getAgent, insertAgent, type NewAgent } from "../../../plugins/federation/agents/agent-store";
import {
  DAEMONIZING_SCRIPT,
  FORKING_SCRIPT,
  markedPids,
  markerFile,
  reap,
  STUBBORN_SCRIPT,
  shellType,
  startTimeOf,
  survivors,
  waitForPids,
} from "../../support/agent-processes";
import { HARNESS_INSTANCE, type RunnerHarness, settledAgent, startRunner } from "./support/runner-harness";

const local = { peerId: null, workspaceId: null };

describe("an agent's processes", () => {
  let h: RunnerHarness;
  let marker: string;
  beforeEach(async () => {
    marker = markerFile();
    h = await startRunner({ killGraceMs: 300 }, undefined, {
      forking: shellType(FORKING_SCRIPT, marker),
      stubborn: shellType(STUBBORN_SCRIPT, marker),
      daemonizing: shellType(DAEMONIZING_SCRIPT, marker),
    });
  });
  afterEach(async () => {
    reap(marker);
    await h.close();
  });

  test("kill ends every process the agent started, not only its first", async () => {
    const { agent } = await h.runner.spawn({ ...local, agentType: "forking" });
    const pids = await waitForPids(marker, 3);
    expect((await h.runner.kill(agent.id)).status).toBe("killed");
    expect(await survivors(pids)).toEqual([]);
  });

  test("kill ends processes that ignore SIGTERM with SIGKILL after the grace period", async () => {
    const { agent } = await h.runner.spawn({ ...local, agentType: "stubborn" });
    const pids = await waitForPids(marker, 3);
    expect((await h.runner.kill(agent.id)).status).toBe("killed");
    expect(await survivors(pids)).toEqual([]);
  });

  test("a timed-out run leaves none of its processes running", async () => {
    const { agent } = await h.runner.spawn({ ...local, agentType: "stubborn", timeoutMs: 300 });
    const pids = await waitForPids(marker, 3);
    expect((await settledAgent(h.db, agent.id)).status).toBe("timed_out");
    expect(await survivors(pids)).toEqual([]);
  });

  test("a run whose first process exits takes what it left behind with it, so runs can't stack processes", async () => {
    const { agent } = await h.runner.spawn({ ...local, agentType: "daemonizing" });
    expect((await settledAgent(h.db, agent.id)).status).toBe("completed");
    const pids = markedPids(marker);
    expect(pids).toHaveLength(1);
    expect(await survivors(pids)).toEqual([]);
  });

  test("the run's pid and start time are recorded while it runs", async () => {
    const { agent } = await h.runner.spawn({ ...local, agentType: "forking" });
    const [shell] = await waitForPids(marker, 3);
    expect(agent.pid).toBe(shell ?? -1);
    expect(agent.pidStart).toBe(startTimeOf(agent.pid ?? -1));
  });
});

describe("what a crashed process left running", () => {
  let h: RunnerHarness;
  let marker: string;
  let group: Subprocess | undefined;
  beforeEach(async () => {
    marker = markerFile();
    h = await startRunner({ killGraceMs: 300 });
  });
  afterEach(async () => {
    reap(marker);
    group?.kill("SIGKILL");
    await h.close();
  });

  // Stands in for a run whose instance was killed -9: its own session, as the runner starts one.
  const leftover = async (script = FORKING_SCRIPT) => {
    group = Bun.spawn(["/bin/sh", "-c", script], { env: { PATH: "/usr/bin:/bin", MARKER: marker }, detached: true });
    const pids = await waitForPids(marker, 3);
    return { pid: group.pid, pids, startTime: startTimeOf(group.pid) };
  };
  const row = (id: string, fields: Partial<NewAgent> & { pid: number; pidStart: number }): Promise<unknown> =>
    insertAgent(h.db, {
      id,
      peerId: null,
      runsOn: null,
      instanceId: HARNESS_INSTANCE,
      workspaceId: null,
      agentType: "sleeper",
      status: "running",
      input: null,
      timeoutMs: 10_000,
      commandId: null,
      createdAt: Date.now(),
      ...fields,
    });

  test("on start, the leftover group of this instance's dead run is ended before the run is marked lost", async () => {
    const { pid, pids, startTime } = await leftover(STUBBORN_SCRIPT);
    await row("crashed", { pid, pidStart: startTime });
    const lost = await h.runner.loseInterrupted();
    expect(lost.map((agent) => agent.id)).toEqual(["crashed"]);
    expect((await getAgent(h.db, "crashed"))?.status).toBe("lost");
    expect(await survivors(pids, 500)).toEqual([]);
  });

  test("a stored pid whose start time differs is not signalled: the pid may belong to another process now", async () => {
    const { pid, pids, startTime } = await leftover();
    await row("reused", { pid, pidStart: startTime - 1 });
    await h.runner.loseInterrupted();
    expect((await getAgent(h.db, "reused"))?.status).toBe("lost");
    expect((await h.runner.kill("reused")).status).toBe("lost");
    await Bun.sleep(400);
    expect(await survivors(pids, 0)).toEqual(pids);
  });

  test("killing a lost agent whose group still lives ends it", async () => {
    const { pid, pids, startTime } = await leftover();
    await row("lost-alive", { pid, pidStart: startTime, status: "lost" });
    expect((await h.runner.kill("lost-alive")).status).toBe("lost");
    expect(await survivors(pids, 500)).toEqual([]);
  });

  test("another instance's lost run is not signalled: its pids name processes on another host", async () => {
    const { pid, pids, startTime } = await leftover();
    await row("elsewhere", { pid, pidStart: startTime, status: "lost", instanceId: "other-host:3000" });
    expect((await h.runner.kill("elsewhere")).status).toBe("lost");
    await Bun.sleep(400);
    expect(await survivors(pids, 0)).toEqual(pids);
  });
});

describe("per-type limits", () => {
  let h: RunnerHarness;
  let marker: string;
  beforeEach(async () => {
    marker = markerFile();
    h = await startRunner({}, undefined, {
      chatty: shellType("while :; do echo 0123456789abcdef; done", marker, { limits: { outputBytes: 10_000 } }),
      small: { command: ["bun", "scripts/agents/echo.ts"], limits: { inputBytes: 16 } },
      limited: shellType('grep -E "Max (cpu time|address space)" /proc/$$/limits', marker, {
        limits: { memoryBytes: 268_435_456, cpuSeconds: 7 },
      }),
      spinning: shellType("while :; do :; done", marker, { limits: { cpuSeconds: 1 } }),
    });
  });
  afterEach(async () => {
    reap(marker);
    await h.close();
  });

  test("refuses input larger than the type's inputBytes with 422", async () => {
    await expect(h.runner.spawn({ ...local, agentType: "small", input: "x".repeat(20) })).rejects.toMatchObject({
      code: "ERR_VALIDATION",
      status: 422,
      path: "input",
    });
    const { agent } = await h.runner.spawn({ ...local, agentType: "small", input: "ok" });
    expect((await settledAgent(h.db, agent.id)).status).toBe("completed");
  });

  test("ends a run whose output passes the type's outputBytes, as failed", async () => {
    const { agent } = await h.runner.spawn({ ...local, agentType: "chatty" });
    const done = await settledAgent(h.db, agent.id);
    expect(done.status).toBe("failed");
    expect(done.output).toContain("[tessera] output passed the type's limit of 10000 bytes");
  });

  test("sets memoryBytes and cpuSeconds on the agent's processes with prlimit", async () => {
    const { agent } = await h.runner.spawn({ ...local, agentType: "limited" });
    const done = await settledAgent(h.db, agent.id);
    expect(done.status).toBe("completed");
    expect(done.output).toMatch(/Max cpu time\s+7\s+7\s+seconds/);
    expect(done.output).toMatch(/Max address space\s+268435456\s+268435456\s+bytes/);
  });

  test("a run past its CPU time limit is ended, as failed", async () => {
    const { agent } = await h.runner.spawn({ ...local, agentType: "spinning" });
    const done = await settledAgent(h.db, agent.id);
    expect(done.status).toBe("failed");
    expect(done.exitCode).not.toBe(0);
  });
});
