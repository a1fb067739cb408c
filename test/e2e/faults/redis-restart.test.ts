// Redis killed and restarted empty under two instances on one PostgreSQL: what subscribers see after it
// returns. Events, revocations and member.removed published while it was away are lost with it, so the
// history must say it cannot vouch for a resume point, and open sockets must be checked again against the
// database. The Redis is this suite's own, so the machine's shared one is never stopped.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RedisClient, type Subprocess } from "bun";
import { openDatabase } from "../../../core/db/open-database";
import { findSessionByToken, revokeSession } from "../../../core/identity/sessions";
import { openProbe, type Probe } from "../../plugins/websocket/support/probe";
import { freePort } from "../../support/free-port";
import { createScratchDatabase, postgresTestUrl } from "../../support/postgres";
import { uniquePrefix } from "../../support/redis";
import { type ServedInstance, serveProcess } from "../../support/serve-process";

const postgres = await postgresTestUrl();
const METRICS_TOKEN = "metrics-token-for-redis-restart";

interface Node {
  served: ServedInstance;
  http(path: string, token?: string, init?: RequestInit): Promise<Response>;
  connect(token: string): Promise<Probe>;
}

const node = (served: ServedInstance): Node => ({
  served,
  http: (path, token, init = {}) =>
    fetch(`${served.url}${path}`, {
      ...init,
      headers: {
        "content-type": "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...init.headers,
      },
    }),
  async connect(token) {
    const probe = await openProbe(`${served.url.replace(/^http/, "ws")}/ws`, { headers: { authorization: `Bearer ${token}` } });
    await probe.next("ready");
    return probe;
  },
});

const until = async <T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
};

describe.skipIf(!postgres)("two instances when their Redis is killed and restarts empty", () => {
  let redisProcess: Subprocess | undefined;
  let redisPort: number;
  let databaseUrl: string;
  let a: Node;
  let b: Node;
  let owner: { id: string; token: string };
  let dropDatabase = async () => {};

  const startRedis = async () => {
    redisProcess = Bun.spawn(
      [
        "redis-server",
        "--port",
        String(redisPort),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--daemonize",
        "no",
      ],
      { stdout: "ignore", stderr: "ignore" },
    );
    const answers = async () => {
      const client = new RedisClient(`redis://127.0.0.1:${redisPort}`, { autoReconnect: false, connectionTimeout: 500 });
      try {
        return (await client.ping()) === "PONG";
      } catch {
        return false;
      } finally {
        client.close();
      }
    };
    await until(answers, Boolean, "the private redis-server to answer", 5000);
  };

  const killRedis = async () => {
    redisProcess?.kill("SIGKILL");
    await redisProcess?.exited;
    redisProcess = undefined;
  };

  const ready = (at: Node) => at.http("/readyz", METRICS_TOKEN).then((response) => response.status);

  /** Kill -9, run `meanwhile` against the instances without Redis, start an empty one, wait for both. */
  const restartRedisEmpty = async (meanwhile: () => Promise<void>) => {
    await killRedis();
    for (const at of [a, b])
      await until(
        () => ready(at),
        (status) => status === 503,
        "not ready",
      );
    await meanwhile();
    await startRedis();
    for (const at of [a, b])
      await until(
        () => ready(at),
        (status) => status === 200,
        "ready again",
      );
  };

  const cli = async (...args: string[]) => {
    const result = await a.served.cli(...args);
    if (result.code !== 0) throw new Error(`${args.join(" ")} failed: ${result.stderr}`);
    return result.stdout.trim();
  };

  const user = async (email: string) => {
    const { id } = JSON.parse(await cli("users", "create", "--email", email));
    return { id: String(id), token: await cli("sessions", "create", "--email", email) };
  };

  const workspace = async () => {
    const response = await a.http("/workspaces", owner.token, { method: "POST", body: JSON.stringify({ name: "team" }) });
    expect(response.status).toBe(201);
    return String((await response.json()).id);
  };

  const addMember = (workspaceId: string, email: string) =>
    a.http(`/workspaces/${workspaceId}/members`, owner.token, {
      method: "POST",
      body: JSON.stringify({ email, role: "viewer" }),
    });

  const subscribed = async (at: Node, token: string, workspaceId: string, since?: string) => {
    const probe = await at.connect(token);
    probe.send(since === undefined ? { type: "subscribe", workspaceId } : { type: "subscribe", workspaceId, since });
    return { probe, subscribed: await probe.next("subscribed") };
  };

  beforeAll(async () => {
    redisPort = await freePort();
    await startRedis();
    const scratch = await createScratchDatabase();
    databaseUrl = scratch.url;
    dropDatabase = scratch.drop;
    const settings = {
      server: { publicUrl: "http://tessera.test" },
      metrics: { token: METRICS_TOKEN },
      database: { url: scratch.url },
      redis: { url: `redis://127.0.0.1:${redisPort}`, prefix: uniquePrefix("redis-restart") },
      log: { level: "error" },
      plugins: { websocket: { enabled: true, connectionAttemptsPerMinutePerIp: 100_000 } },
    };
    const [first, second] = await Promise.all([
      serveProcess(settings, { timeoutMs: 30_000 }),
      serveProcess(settings, { timeoutMs: 30_000 }),
    ]);
    a = node(first);
    b = node(second);
    owner = await user("owner@example.com");
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.served.stop(), b?.served.stop()]);
    await killRedis();
    await dropDatabase();
  });

  test("a client resuming after Redis lost the history gets subscribed with gap: true", async () => {
    const workspaceId = await workspace();
    await user("gap-member@example.com");
    const { probe: onB } = await subscribed(b, owner.token, workspaceId);
    expect((await addMember(workspaceId, "gap-member@example.com")).status).toBe(201);
    const seen = await onB.next("event");
    onB.close();

    await restartRedisEmpty(async () => {
      await user("while-down@example.com");
      // Stored, but its event is lost with Redis.
      await addMember(workspaceId, "while-down@example.com");
    });

    for (const at of [a, b]) {
      const { probe, subscribed: answer } = await subscribed(at, owner.token, workspaceId, seen.id);
      expect(answer).toEqual({ type: "subscribed", workspaceId, gap: true });
      probe.close();
    }
  }, 30_000);

  test("a member removed while Redis was down stops receiving the workspace's events once it is back", async () => {
    const workspaceId = await workspace();
    const member = await user("removed@example.com");
    expect((await addMember(workspaceId, "removed@example.com")).status).toBe(201);
    const { probe: memberOnB } = await subscribed(b, member.token, workspaceId);
    const { probe: ownerOnB } = await subscribed(b, owner.token, workspaceId);

    await restartRedisEmpty(async () => {
      const removed = await a.http(`/workspaces/${workspaceId}/members/${member.id}`, owner.token, { method: "DELETE" });
      // Stored either way; only its member.removed event has nowhere to go.
      expect([204, 503]).toContain(removed.status);
    });

    expect(await memberOnB.next("unsubscribed", 10_000)).toEqual({ type: "unsubscribed", workspaceId, reason: "removed" });
    await user("after@example.com");
    expect((await addMember(workspaceId, "after@example.com")).status).toBe(201);
    expect((await ownerOnB.next("event", 10_000)).event).toBe("member.added");
    expect(await memberOnB.quiet("event", 500)).toBe(true);
    memberOnB.close();
    ownerOnB.close();
  }, 30_000);

  test("a socket whose session was revoked while Redis was down is closed with 4401 once it is back", async () => {
    const workspaceId = await workspace();
    const member = await user("revoked@example.com");
    expect((await addMember(workspaceId, "revoked@example.com")).status).toBe(201);
    const { probe: onB } = await subscribed(b, member.token, workspaceId);

    await restartRedisEmpty(async () => {
      const db = await openDatabase(databaseUrl);
      try {
        const found = await findSessionByToken(db, member.token);
        if (!found) throw new Error("the member's session is not live");
        // Stored in the database; the announcement to other instances has no Redis to go through.
        expect(await revokeSession(db, found.session.id)).toBe(true);
      } finally {
        await db.close();
      }
    });

    const closed = await Promise.race([onB.closed, Bun.sleep(10_000).then(() => undefined)]);
    expect(closed?.code).toBe(4401);
  }, 30_000);
});
