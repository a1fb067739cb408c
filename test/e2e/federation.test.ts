// Two real instances, each its own process and database, peered over loopback: a hub that spawns,
// watches and kills agents on a spoke, with every message signed. Timeouts are short so this stays fast.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { freePort } from "../support/free-port";
import { createScratchDatabase, postgresTestUrl } from "../support/postgres";
import { type ServedInstance, serveProcess } from "../support/serve-process";
import { makeTempDir } from "../support/test-runtime";

const ROOT = join(import.meta.dir, "..", "..");
const ADMIN = "admin@example.com";
const ALL_COMMANDS = ["agent.spawn", "agent.status", "agent.kill", "agent.list"];

interface Instance {
  served: ServedInstance;
  url: string;
  id: string;
  admin: string;
  call(method: string, path: string, token: string, body?: unknown): Promise<Response>;
}

const federation = (otherPort: number, extra: Record<string, unknown>) => ({
  enabled: true,
  peers: { allowedHosts: [`127.0.0.1:${otherPort}`] },
  delivery: { timeoutMs: 2000, commandAttempts: 2, outboxAttempts: 20, baseDelayMs: 100, maxDelayMs: 500 },
  ...extra,
});

const config = (port: number, otherPort: number, databaseUrl: string, extra: Record<string, unknown>) => ({
  server: { publicUrl: `http://127.0.0.1:${port}`, allowedOrigins: [`http://127.0.0.1:${port}`] },
  database: { url: databaseUrl },
  admins: [ADMIN],
  plugins: { websocket: { enabled: true }, federation: federation(otherPort, extra) },
});

const cliJson = async (served: ServedInstance, ...args: string[]) => {
  const result = await served.cli(...args);
  if (result.code !== 0) throw new Error(`${args.join(" ")} failed: ${result.stderr}`);
  return result.stdout.trim();
};

const token = async (served: ServedInstance, email: string) => {
  await served.cli("users", "create", "--email", email);
  return cliJson(served, "sessions", "create", "--email", email);
};

const instance = async (served: ServedInstance): Promise<Instance> => {
  const call = (method: string, path: string, auth: string, body?: unknown) =>
    fetch(`${served.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${auth}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const { id } = await (await fetch(`${served.url}/.well-known/tessera`)).json();
  return { served, url: served.url, id, admin: await token(served, ADMIN), call };
};

/** Polls until `read` gives a value `done` accepts. */
const until = async <T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await Bun.sleep(50);
  }
};

describe("federation between two instances", () => {
  let hub: Instance;
  let spoke: Instance;
  let spokeDir: string;
  let spokeConfig: Record<string, unknown>;
  let spokePort: number;
  let member: string;
  let outsider: string;
  let workspaceId: string;
  let dropSpokeDatabase = async () => {};
  const events: { event: string; data: { id: string; status: string } }[] = [];
  let socket: WebSocket;

  beforeAll(async () => {
    const [hubPort, port] = await Promise.all([freePort(), freePort()]);
    spokePort = port;
    spokeDir = makeTempDir("fed-spoke-");
    // Two databases: the spoke on PostgreSQL when there is one, the hub on SQLite.
    let spokeDatabase = "sqlite:./spoke.db";
    if (await postgresTestUrl()) {
      const scratch = await createScratchDatabase();
      spokeDatabase = scratch.url;
      dropSpokeDatabase = scratch.drop;
    }
    spokeConfig = config(spokePort, hubPort, spokeDatabase, {
      name: "spoke",
      agents: {
        types: {
          echo: { command: ["bun", join(ROOT, "scripts/agents/echo.ts")], timeoutMs: 5000 },
          sleeper: { command: ["bun", join(ROOT, "scripts/agents/sleeper.ts")], timeoutMs: 5000 },
        },
        maxConcurrentPerPeer: 2,
        killGraceMs: 300,
      },
    });
    const hubConfig = config(hubPort, spokePort, "sqlite:./hub.db", {
      name: "hub",
      reconcile: { intervalMs: 500, lostAfterMs: 60_000 },
    });
    const [hubServed, spokeServed] = await Promise.all([
      serveProcess(hubConfig, { port: hubPort }),
      serveProcess(spokeConfig, { port: spokePort, dir: spokeDir }),
    ]);
    [hub, spoke] = await Promise.all([instance(hubServed), instance(spokeServed)]);
    [member, outsider] = await Promise.all([token(hub.served, "member@example.com"), token(hub.served, "outsider@example.com")]);
    workspaceId = (await (await hub.call("POST", "/workspaces", member, { name: "agents" })).json()).id;

    // Authenticated by a first message, as a dashboard would; events are collected from `subscribed` on.
    socket = new WebSocket(`${hub.url.replace("http", "ws")}/ws`);
    const subscribed = new Promise((resolve) => {
      socket.addEventListener("message", (message) => {
        const parsed = JSON.parse(String(message.data));
        if (parsed.type === "ready") socket.send(JSON.stringify({ type: "subscribe", workspaceId }));
        if (parsed.type === "subscribed") resolve(parsed);
        if (parsed.type === "event" && parsed.event === "agent.updated") events.push(parsed);
      });
    });
    await new Promise((resolve) => socket.addEventListener("open", resolve, { once: true }));
    socket.send(JSON.stringify({ type: "auth", token: member }));
    await subscribed;
  }, 60_000);

  afterAll(async () => {
    socket?.close();
    await Promise.all([hub?.served.stop(), spoke?.served.stop()]);
    await dropSpokeDatabase();
  });

  const spawn = (body: Record<string, unknown>, as = member) =>
    hub.call("POST", `/federation/peers/${spoke.id}/agents`, as, { workspaceId, ...body });
  const status = async (agentId: string) =>
    (await (await hub.call("GET", `/federation/peers/${spoke.id}/agents/${agentId}`, member)).json()) as {
      status: string;
      output: string | null;
      exitCode: number | null;
    };
  const settled = (agentId: string, timeoutMs?: number) =>
    until(
      () => status(agentId),
      (agent) => agent.status !== "queued" && agent.status !== "running",
      `agent ${agentId}`,
      timeoutMs,
    );
  const peerStatus = async (on: Instance, peerId: string) =>
    (await (await on.call("GET", `/federation/peers/${peerId}`, on.admin)).json()).status;

  test("peering: `peers add` on the hub, pending on the spoke until its admin accepts, then active on both", async () => {
    expect((await hub.call("POST", "/federation/peers", member, { url: spoke.url })).status).toBe(403);
    const added = JSON.parse(await cliJson(hub.served, "peers", "add", spoke.url));
    expect(added).toMatchObject({ id: spoke.id, url: spoke.url, name: "spoke", status: "requested" });
    const pending = (await (await spoke.call("GET", "/federation/peers", spoke.admin)).json()).peers;
    expect(pending).toEqual([expect.objectContaining({ id: hub.id, status: "pending", url: hub.url })]);
    // Nothing is allowed before the spoke's admin accepts.
    expect((await spawn({ agentType: "echo" })).status).toBe(409);

    const accepted = await spoke.call("POST", `/federation/peers/${hub.id}/accept`, spoke.admin, {
      grants: { commands: ALL_COMMANDS, agentTypes: ["echo", "sleeper"] },
    });
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({ status: "active", notified: true });
    expect(await peerStatus(hub, spoke.id)).toBe("active");
  });

  test("spawn → completed with the output, reported to the workspace's WebSocket subscribers", async () => {
    const response = await spawn({ agentType: "echo", input: { task: "say hello" } });
    expect(response.status).toBe(201);
    const agent = await response.json();
    expect(agent).toMatchObject({ agentType: "echo", runsOn: spoke.id, workspaceId });
    const done = await settled(agent.id);
    expect(done).toMatchObject({ status: "completed", exitCode: 0, output: '{"task":"say hello"}\n' });
    const seen = await until(
      async () => events.filter((event) => event.data.id === agent.id).map((event) => event.data.status),
      (statuses) => statuses.includes("completed"),
      "agent events",
    );
    expect(seen.at(-1)).toBe("completed");
    const listed = await (
      await hub.call("GET", `/federation/peers/${spoke.id}/agents?workspaceId=${workspaceId}`, member)
    ).json();
    expect(listed.agents.map((listedAgent: { id: string }) => listedAgent.id)).toContain(agent.id);
  });

  test("a failing agent is failed with its exit code", async () => {
    const agent = await (await spawn({ agentType: "echo", input: { exitCode: 7 } })).json();
    expect(await settled(agent.id)).toMatchObject({ status: "failed", exitCode: 7 });
  });

  test("only workspace members may spawn, see or kill", async () => {
    const agent = await (await spawn({ agentType: "echo" })).json();
    expect((await spawn({ agentType: "echo" }, outsider)).status).toBe(404);
    expect((await hub.call("GET", `/federation/peers/${spoke.id}/agents/${agent.id}`, outsider)).status).toBe(404);
    expect((await hub.call("POST", `/federation/peers/${spoke.id}/agents/${agent.id}/kill`, outsider)).status).toBe(404);
  });

  test("an agent type the spoke did not grant, or a timeout above the type's, is refused and nothing is kept", async () => {
    const listed = async () =>
      (await (await hub.call("GET", `/federation/peers/${spoke.id}/agents?workspaceId=${workspaceId}`, member)).json()).agents
        .length;
    const before = await listed();
    const unknown = await spawn({ agentType: "rm-rf" });
    expect(unknown.status).toBe(403);
    expect((await unknown.json()).code).toBe("ERR_FED_NOT_GRANTED");
    const tooLong = await spawn({ agentType: "echo", timeoutMs: 60_000 });
    expect(tooLong.status).toBe(422);
    expect((await tooLong.json()).code).toBe("ERR_AGENT_TIMEOUT");
    expect(await listed()).toBe(before);
  });

  test("kill of a long-running agent ends it as killed", async () => {
    const agent = await (await spawn({ agentType: "sleeper", input: { seconds: 30 } })).json();
    await until(
      () => status(agent.id),
      (current) => current.status === "running",
      "sleeper running",
    );
    const killed = await hub.call("POST", `/federation/peers/${spoke.id}/agents/${agent.id}/kill`, member);
    expect(killed.status).toBe(200);
    expect((await killed.json()).status).toBe("killed");
    const again = await hub.call("POST", `/federation/peers/${spoke.id}/agents/${agent.id}/kill`, member);
    expect((await again.json()).status).toBe("killed");
  });

  test("a hub may lower the timeout: the agent ends timed_out", async () => {
    const agent = await (await spawn({ agentType: "sleeper", input: { seconds: 30 }, timeoutMs: 400 })).json();
    expect((await settled(agent.id)).status).toBe("timed_out");
  });

  test("past the per-peer concurrency limit the spoke answers 429 with Retry-After", async () => {
    // Runs left by earlier tests would count against the limit.
    await until(
      async () =>
        (await (await hub.call("GET", `/federation/peers/${spoke.id}/agents?workspaceId=${workspaceId}`, member)).json()).agents,
      (agents: { status: string }[]) => agents.every((agent) => agent.status !== "queued" && agent.status !== "running"),
      "no agents running",
    );
    const running = [
      await (await spawn({ agentType: "sleeper", input: { seconds: 30 } })).json(),
      await (await spawn({ agentType: "sleeper", input: { seconds: 30 } })).json(),
    ];
    const refused = await spawn({ agentType: "echo" });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("5");
    expect((await refused.json()).code).toBe("ERR_AGENT_LIMIT");
    for (const agent of running) await hub.call("POST", `/federation/peers/${spoke.id}/agents/${agent.id}/kill`, member);
  });

  test("suspension from either side refuses spawns at once; accepting again resumes", async () => {
    await spoke.call("POST", `/federation/peers/${hub.id}/suspend`, spoke.admin);
    expect(await peerStatus(hub, spoke.id)).toBe("remote_suspended");
    const refused = await spawn({ agentType: "echo" });
    expect(refused.status).toBe(409);
    expect((await refused.json()).code).toBe("ERR_FED_PEER");
    await spoke.call("POST", `/federation/peers/${hub.id}/accept`, spoke.admin);
    expect(await peerStatus(hub, spoke.id)).toBe("active");

    await hub.call("POST", `/federation/peers/${spoke.id}/suspend`, hub.admin);
    expect(await peerStatus(spoke, hub.id)).toBe("remote_suspended");
    expect((await spawn({ agentType: "echo" })).status).toBe(409);
    await hub.call("POST", `/federation/peers/${spoke.id}/accept`, hub.admin);
    expect(await peerStatus(spoke, hub.id)).toBe("active");
    const agent = await (await spawn({ agentType: "echo" })).json();
    expect((await settled(agent.id)).status).toBe("completed");
  });

  test("key rotation on either side: the old key stays listed with notAfter, the peer learns the new one", async () => {
    for (const [rotating, other] of [
      [hub, spoke],
      [spoke, hub],
    ] as const) {
      const before = (await (await fetch(`${rotating.url}/.well-known/tessera`)).json()).keys[0].kid;
      const rotated = await (
        await rotating.call("POST", "/federation/keys/rotate", rotating.admin, { overlapMs: 60_000 })
      ).json();
      expect(rotated).toMatchObject({ retired: { kid: before }, peers: [{ peer: other.id, notified: true }] });
      const keys = (await (await fetch(`${rotating.url}/.well-known/tessera`)).json()).keys;
      expect(keys.map((key: { kid: string }) => key.kid)).toEqual([rotated.kid, before]);
      expect(keys[1].notAfter).toBeGreaterThan(Date.now() / 1000);
      const pinned = (await (await other.call("GET", `/federation/peers/${rotating.id}`, other.admin)).json()).keys;
      expect(pinned.map((key: { kid: string }) => key.kid)).toEqual([rotated.kid, before]);
    }
    // Both sides now sign with their new keys.
    const agent = await (await spawn({ agentType: "echo" })).json();
    expect((await settled(agent.id)).status).toBe("completed");
  });

  test("agents running when the spoke crashes are marked lost on its next start, and the hub hears of it", async () => {
    const agent = await (await spawn({ agentType: "sleeper", input: { seconds: 30 } })).json();
    await until(
      () => status(agent.id),
      (current) => current.status === "running",
      "sleeper running",
    );
    await spoke.served.stop("SIGKILL");
    const restarted = await serveProcess(spokeConfig, { port: spokePort, dir: spokeDir });
    spoke = { ...spoke, served: restarted };
    expect((await settled(agent.id)).status).toBe("lost");
  });

  test("a spawn on a peer that does not answer ends lost, not hanging", async () => {
    await spoke.served.stop("SIGKILL");
    const started = Date.now();
    const response = await spawn({ agentType: "echo" });
    expect(response.status).toBe(502);
    const problem = await response.json();
    expect(problem.code).toBe("ERR_FED_PEER_UNAVAILABLE");
    expect(problem.agent.status).toBe("lost");
    expect(Date.now() - started).toBeLessThan(8000);
    spoke = { ...spoke, served: await serveProcess(spokeConfig, { port: spokePort, dir: spokeDir }) };
  });

  test("disconnect from the hub ends the connection on both sides", async () => {
    const response = await hub.call("POST", `/federation/peers/${spoke.id}/disconnect`, hub.admin);
    expect(await response.json()).toMatchObject({ status: "disconnected", notified: true });
    expect(await peerStatus(spoke, hub.id)).toBe("disconnected");
    expect((await spawn({ agentType: "echo" })).status).toBe(409);
  });
});
