// Scale-out as a self-hoster runs it: two `tessera serve` processes behind one public URL, sharing one
// PostgreSQL database and one Redis (a key prefix of their own), and everything a user or a peer does
// through one instance holding on the other. The Redis outage runs on a private redis-server, so the
// machine's shared one is never stopped.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { RedisClient, type Subprocess } from "bun";
import { openDatabase } from "../../core/db/open-database";
import { generateApiKey, hashApiKey } from "../../plugins/api-key/keyring";
import { savePeer } from "../../plugins/federation/peers/peer-store";
import { makePeer } from "../plugins/federation/support/fake-peer";
import { attemptUpgrade, openProbe, type Probe } from "../plugins/websocket/support/probe";
import { freePort } from "../support/free-port";
import { createScratchDatabase, postgresTestUrl } from "../support/postgres";
import { clearPrefix, redisTestUrl, uniquePrefix } from "../support/redis";
import { type ServedInstance, serveProcess } from "../support/serve-process";

const postgres = await postgresTestUrl();
const redis = await redisTestUrl();

/** What a load balancer in front of both would be reached at: every instance is configured with it. */
const PUBLIC_URL = "http://tessera.test";
const FAKE_PEER_HOST = "127.0.0.1:9";
const MAX_SOCKETS_PER_USER = 2;
const API_KEY_LIMIT = 4;
/** Messages a user may send at once; on one instance alone, this many pings would all be answered. */
const MESSAGE_BURST = 6;

const apiKey = generateApiKey();

const METRICS_TOKEN = "metrics-token-for-scale-out";
const config = (databaseUrl: string, redisUrl: string, prefix: string) => ({
  server: { publicUrl: PUBLIC_URL },
  metrics: { token: METRICS_TOKEN },
  database: { url: databaseUrl },
  redis: { url: redisUrl, prefix },
  log: { level: "warn" },
  plugins: {
    websocket: {
      enabled: true,
      maxConnectionsPerUser: MAX_SOCKETS_PER_USER,
      messagesPerSecond: 1,
      burst: MESSAGE_BURST,
      connectionAttemptsPerMinutePerIp: 100_000,
    },
    console: { enabled: true },
    "api-key": {
      enabled: true,
      keys: [{ name: "coordinator", hash: hashApiKey(apiKey), scopes: ["coordinator"] }],
      protect: { "/coordinator": "coordinator" },
      rateLimit: { limit: API_KEY_LIMIT, windowMs: 3_600_000 },
    },
    coordinator: { enabled: true },
    federation: { enabled: true, peers: { allowedHosts: [FAKE_PEER_HOST] } },
  },
});

interface Node {
  served: ServedInstance;
  ws: string;
  http(path: string, token?: string, init?: RequestInit): Promise<Response>;
  connect(token: string): Promise<Probe>;
}

const node = (served: ServedInstance): Node => {
  const ws = `${served.url.replace(/^http/, "ws")}/ws`;
  return {
    served,
    ws,
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
      const probe = await openProbe(ws, { headers: { authorization: `Bearer ${token}` } });
      await probe.next("ready");
      return probe;
    },
  };
};

/** Starts both at once: the migrations' advisory lock is what keeps them from colliding. */
const startPair = (settings: ReturnType<typeof config>) =>
  Promise.all([serveProcess(settings, { timeoutMs: 30_000 }), serveProcess(settings, { timeoutMs: 30_000 })]);

const cli = async (served: ServedInstance, ...args: string[]) => {
  const result = await served.cli(...args);
  if (result.code !== 0) throw new Error(`${args.join(" ")} failed: ${result.stderr}`);
  return result.stdout.trim();
};

const user = async (served: ServedInstance, email: string) => {
  const { id } = JSON.parse(await cli(served, "users", "create", "--email", email));
  return { id: String(id), token: await cli(served, "sessions", "create", "--email", email) };
};

const workspace = async (at: Node, token: string) => {
  const response = await at.http("/workspaces", token, { method: "POST", body: JSON.stringify({ name: "team" }) });
  expect(response.status).toBe(201);
  return String((await response.json()).id);
};

const addMember = async (at: Node, token: string, workspaceId: string, email: string) => {
  const response = await at.http(`/workspaces/${workspaceId}/members`, token, {
    method: "POST",
    body: JSON.stringify({ email, role: "viewer" }),
  });
  expect(response.status).toBe(201);
};

const until = async <T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await Bun.sleep(100);
  }
};

const readiness = async (at: Node) => {
  const response = await at.http("/readyz", METRICS_TOKEN);
  return { status: response.status, body: await response.json() };
};

describe.skipIf(!postgres || !redis)("two instances on one PostgreSQL and one Redis", () => {
  const prefix = uniquePrefix("scale");
  let a: Node;
  let b: Node;
  let owner: { id: string; token: string };
  let databaseUrl: string;
  let dropDatabase = async () => {};

  beforeAll(async () => {
    const scratch = await createScratchDatabase();
    databaseUrl = scratch.url;
    dropDatabase = scratch.drop;
    const [first, second] = await startPair(config(scratch.url, redis ?? "", prefix));
    a = node(first);
    b = node(second);
    owner = await user(first, "owner@example.com");
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.served.stop(), b?.served.stop()]);
    await dropDatabase();
    if (redis) await clearPrefix(redis, prefix);
  });

  test("both started at once on an empty database, are ready, and are one federation identity", async () => {
    for (const at of [a, b]) expect((await readiness(at)).status).toBe(200);
    const [idA, idB] = await Promise.all([a, b].map(async (at) => (await (await at.http("/.well-known/tessera")).json()).id));
    expect(idA).toBe(idB);
  });

  test("an event produced through A reaches a subscriber on B in order, and B's ids replay on A", async () => {
    const workspaceId = await workspace(a, owner.token);
    const onB = await b.connect(owner.token);
    onB.send({ type: "subscribe", workspaceId });
    await onB.next("subscribed");
    await user(a.served, "first@example.com");
    await user(a.served, "second@example.com");
    await addMember(a, owner.token, workspaceId, "first@example.com");
    await addMember(a, owner.token, workspaceId, "second@example.com");
    const first = await onB.next("event");
    const second = await onB.next("event");
    expect([first.event, second.event]).toEqual(["member.added", "member.added"]);
    expect(Number(second.id)).toBe(Number(first.id) + 1);
    onB.close();

    // A client that reconnects to the other instance resumes with `since`.
    const onA = await a.connect(owner.token);
    onA.send({ type: "subscribe", workspaceId, since: first.id });
    await onA.next("subscribed");
    expect((await onA.next("event")).id).toBe(second.id);
    onA.close();
  });

  test("a session made on A works on B, and signing out on A ends it on B", async () => {
    const signedIn = await user(a.served, "session@example.com");
    for (const at of [a, b]) expect((await at.http("/me", signedIn.token)).status).toBe(200);
    const signOut = await a.http("/console/sign-out", undefined, {
      method: "POST",
      headers: { origin: PUBLIC_URL, cookie: `tessera_session=${signedIn.token}` },
      redirect: "manual",
    });
    expect(signOut.status).toBe(303);
    for (const at of [b, a]) expect((await at.http("/me", signedIn.token)).status).toBe(401);
  });

  test("a WebSocket ticket used on A is refused on B", async () => {
    const response = await a.http("/ws/ticket", owner.token, { method: "POST" });
    const { ticket } = await response.json();
    const onA = await openProbe(`${a.ws}?ticket=${encodeURIComponent(ticket)}`);
    await onA.next("ready");
    const refused = await attemptUpgrade(`${b.ws}?ticket=${encodeURIComponent(ticket)}`);
    expect(refused.status).toBe(401);
    expect((await refused.json()).detail).toContain("already used");
    onA.close();
  });

  test("a user's open WebSockets are counted across both instances", async () => {
    const counted = await user(a.served, "sockets@example.com");
    const onA = await a.connect(counted.token);
    const onB = await b.connect(counted.token);
    for (const at of [a, b]) {
      const refused = await attemptUpgrade(at.ws, { authorization: `Bearer ${counted.token}` });
      expect(refused.status).toBe(429);
    }
    onA.close();
    await onA.closed;
    const again = await until(
      () => attemptUpgrade(b.ws, { authorization: `Bearer ${counted.token}` }).then((r) => r.status),
      (status) => status === 101,
      "a freed slot",
    );
    expect(again).toBe(101);
    onB.close();
  });

  test("a user's WebSocket message rate is counted across both instances", async () => {
    const chatty = await user(a.served, "chatty@example.com");
    const onA = await a.connect(chatty.token);
    const onB = await b.connect(chatty.token);
    for (let i = 0; i < MESSAGE_BURST - 2; i++) {
      onA.send({ type: "ping" });
      await onA.next("pong");
    }
    // B alone has seen none of them; each ping waits for its answer, so the shared verdict keeps up.
    const answers: string[] = [];
    for (let i = 0; i < MESSAGE_BURST && !answers.includes("rate_limited"); i++) {
      const seen = onB.messages.length;
      onB.send({ type: "ping" });
      await until(
        async () => onB.messages.length,
        (length) => length > seen,
        "an answer to a ping",
        3000,
      );
      const answer = onB.messages[seen];
      answers.push(answer?.type === "error" ? answer.code : String(answer?.type));
    }
    expect(answers.at(-1)).toBe("rate_limited");
    expect(answers.length).toBeLessThan(MESSAGE_BURST);
    onA.close();
    onB.close();
  });

  test("an API key's rate limit is counted across both instances", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < API_KEY_LIMIT * 2; i++) {
      const at = i % 2 === 0 ? a : b;
      statuses.push((await at.http("/coordinator/health", undefined, { headers: { "x-api-key": apiKey } })).status);
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(API_KEY_LIMIT);
    expect(statuses.slice(API_KEY_LIMIT).every((status) => status === 429)).toBe(true);
  });

  test("a federation message accepted by A is refused as a replay by B", async () => {
    const db = await openDatabase(databaseUrl);
    const peer = await makePeer(`http://${FAKE_PEER_HOST}`);
    const now = Date.now();
    try {
      await savePeer(db, {
        id: peer.id,
        url: peer.url,
        name: "fake",
        status: "active",
        keys: [peer.key.jwk],
        grants: { commands: ["agent.list"], agentTypes: [] },
        createdAt: now,
        updatedAt: now,
      });
    } finally {
      await db.close();
    }
    const { id } = await (await a.http("/.well-known/tessera")).json();
    const { jws } = await peer.sign(id, { name: "agent.list", commandId: crypto.randomUUID(), args: {} });
    const inbox = (at: Node) =>
      at.http("/federation/v1/inbox", undefined, { method: "POST", body: jws, headers: { "content-type": "application/jose" } });
    expect((await inbox(a)).status).toBe(200);
    const replayed = await inbox(b);
    expect(replayed.status).toBe(409);
    expect((await replayed.json()).code).toBe("ERR_FED_REPLAY");
  });
});

describe.skipIf(!postgres)("federation agents on two instances of one database", () => {
  const sleeper = { command: ["bun", join(import.meta.dir, "..", "..", "scripts/agents/sleeper.ts")], timeoutMs: 60_000 };
  let settings: Record<string, unknown>;
  let portB: number;
  let a: Node;
  let b: Node;
  let owner: { id: string; token: string };
  let workspaceId: string;
  let dropDatabase = async () => {};

  // Fixed ports: each instance's default id is <host>:<port>, which a restart on the same port keeps.
  beforeAll(async () => {
    const scratch = await createScratchDatabase();
    dropDatabase = scratch.drop;
    settings = {
      server: { publicUrl: PUBLIC_URL },
      database: { url: scratch.url },
      log: { level: "warn" },
      plugins: { federation: { enabled: true, agents: { types: { sleeper }, killGraceMs: 500 } } },
    };
    portB = await freePort();
    let portA = await freePort();
    while (portA === portB) portA = await freePort();
    const [first, second] = await Promise.all([
      serveProcess(settings, { port: portA, timeoutMs: 30_000 }),
      serveProcess(settings, { port: portB, timeoutMs: 30_000 }),
    ]);
    a = node(first);
    b = node(second);
    owner = await user(first, "agents@example.com");
    workspaceId = await workspace(a, owner.token);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.served.stop(), b?.served.stop()]);
    await dropDatabase();
  });

  const spawn = async (at: Node) => {
    const response = await at.http("/agents", owner.token, {
      method: "POST",
      body: JSON.stringify({ workspaceId, agentType: "sleeper", input: { seconds: 20 } }),
    });
    expect(response.status).toBe(201);
    return String((await response.json()).id);
  };
  const status = async (at: Node, id: string) => (await (await at.http(`/agents/${id}`, owner.token)).json()).status;

  test("an agent run by A is read and killed through B", async () => {
    const id = await spawn(a);
    expect(await status(b, id)).toBe("running");
    const killed = await b.http(`/agents/${id}/kill`, owner.token, { method: "POST" });
    expect(killed.status).toBe(200);
    expect((await killed.json()).status).toBe("killed");
    expect(await status(a, id)).toBe("killed");
  });

  test("an instance restarted after a crash marks its own runs lost and leaves the other's running", async () => {
    const onA = await spawn(a);
    const onB = await spawn(b);
    await b.served.stop("SIGKILL");
    expect(await status(a, onB)).toBe("running");
    b = node(await serveProcess(settings, { port: portB, timeoutMs: 30_000 }));
    expect(await status(b, onB)).toBe("lost");
    expect(await status(b, onA)).toBe("running");
    const killed = await b.http(`/agents/${onA}/kill`, owner.token, { method: "POST" });
    expect((await killed.json()).status).toBe("killed");
  }, 60_000);
});

describe.skipIf(!postgres)("two instances when their Redis stops and comes back", () => {
  let redisProcess: Subprocess | undefined;
  let redisPort: number;
  let a: Node;
  let b: Node;
  let owner: { id: string; token: string };
  let dropDatabase = async () => {};

  // A private server: stopping the machine's shared Redis would break every other suite using it.
  const startRedis = async () => {
    redisProcess = Bun.spawn(
      ["redis-server", "--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdout: "ignore", stderr: "ignore" },
    );
    // A fresh client per try: one that failed to connect stays closed.
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
  const stopRedis = async () => {
    redisProcess?.kill("SIGKILL");
    await redisProcess?.exited;
    redisProcess = undefined;
  };

  beforeAll(async () => {
    redisPort = await freePort();
    await startRedis();
    const scratch = await createScratchDatabase();
    dropDatabase = scratch.drop;
    const [first, second] = await startPair(config(scratch.url, `redis://127.0.0.1:${redisPort}`, "tessera:"));
    a = node(first);
    b = node(second);
    owner = await user(first, "owner@example.com");
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.served.stop(), b?.served.stop()]);
    await stopRedis();
    await dropDatabase();
  });

  test("not ready and failing closed while Redis is down; recovered without a restart once it is back", async () => {
    const workspaceId = await workspace(a, owner.token);
    await user(a.served, "member@example.com");
    const onB = await b.connect(owner.token);
    onB.send({ type: "subscribe", workspaceId });
    await onB.next("subscribed");
    await addMember(a, owner.token, workspaceId, "member@example.com");
    const before = await onB.next("event");
    const { ticket } = await (await a.http("/ws/ticket", owner.token, { method: "POST" })).json();

    await stopRedis();
    for (const at of [a, b]) {
      const { status, body } = await until(
        () => readiness(at),
        ({ status }) => status === 503,
        "not ready",
      );
      expect(status).toBe(503);
      expect(body.checks.limits.ok).toBe(false);
    }
    // Security state lives in Redis: without it a ticket is refused, never let through unchecked.
    const refused = await attemptUpgrade(`${b.ws}?ticket=${encodeURIComponent(ticket)}`);
    expect(refused.status).toBe(503);
    const counted = await a.http("/coordinator/health", undefined, { headers: { "x-api-key": apiKey } });
    expect(counted.status).toBe(503);
    // What the database holds is still served.
    expect((await b.http("/me", owner.token)).status).toBe(200);

    await startRedis();
    for (const at of [a, b])
      await until(
        () => readiness(at),
        ({ status }) => status === 200,
        "ready again",
      );
    await until(
      () => b.http("/workspaces", owner.token).then((r) => r.status),
      (status) => status === 200,
      "requests served",
    );
    await user(a.served, "later@example.com");
    await addMember(a, owner.token, workspaceId, "later@example.com");
    const after = await onB.next("event", 10_000);
    expect(after.event).toBe("member.added");
    expect(Number(after.id)).toBeGreaterThan(Number(before.id));
    onB.close();
  }, 60_000);
});
