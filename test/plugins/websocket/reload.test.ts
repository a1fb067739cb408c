import { afterEach, describe, expect, test } from "bun:test";
import { createSession } from "../../../core/identity/sessions";
import { createUser } from "../../../core/identity/users";
import { logged, reloadWith } from "../../support/reload-runtime";
import { startTestRuntime, type TestRuntime } from "../../support/test-runtime";
import { attemptUpgrade, openProbe, type Probe } from "./support/probe";

interface Served {
  t: TestRuntime;
  logs: string[];
  wsUrl: string;
  token: string;
  connect(): Promise<Probe>;
}

const configWith = (websocket: Record<string, unknown>) => ({
  log: { level: "debug" },
  plugins: { websocket: { enabled: true, ...websocket } },
});

let served: Served | undefined;
afterEach(async () => {
  if (!served) return;
  await served.t.close();
  await served.t.runtime.app.stop(true);
  served = undefined;
});

const serve = async (websocket: Record<string, unknown>): Promise<Served> => {
  const logs: string[] = [];
  const t = await startTestRuntime(configWith(websocket), { logs });
  t.runtime.app.listen({ port: 0, hostname: "127.0.0.1" });
  const user = await createUser(t.runtime.db, { email: "reload@example.com" });
  const token = (await createSession(t.runtime.db, user.id, { ttlMs: 3_600_000 })).token;
  const wsUrl = `ws://127.0.0.1:${t.runtime.app.server?.port}/ws`;
  const connect = async () => {
    const probe = await openProbe(wsUrl, { headers: { authorization: `Bearer ${token}` } });
    await probe.next("ready");
    return probe;
  };
  served = { t, logs, wsUrl, token, connect };
  return served;
};

/** Sends `count` pings at once and reports what came back once the last answer is in. */
const pings = async (socket: Probe, count: number) => {
  const before = socket.messages.length;
  for (let i = 0; i < count; i++) socket.send({ type: "ping" });
  await Bun.sleep(200);
  const answers = socket.messages.slice(before).map((m) => (m.type === "error" ? m.code : m.type));
  return { pongs: answers.filter((kind) => kind === "pong").length, limited: answers.includes("rate_limited") };
};

describe("reloading the websocket plugin", () => {
  test("a raised message rate reaches a socket opened before the reload, which stays open", async () => {
    const { t, connect } = await serve({ messagesPerSecond: 1, burst: 2 });
    const socket = await connect();

    await reloadWith(t, configWith({ messagesPerSecond: 1, burst: 30 }));
    expect(await pings(socket, 10)).toEqual({ pongs: 10, limited: false });
    expect(socket.socket.readyState).toBe(WebSocket.OPEN);
    socket.close();
  });

  test("a lowered message rate limits an open socket from its next message", async () => {
    const { t, connect } = await serve({ messagesPerSecond: 1, burst: 30 });
    const socket = await connect();

    await reloadWith(t, configWith({ messagesPerSecond: 1, burst: 2 }));
    expect(await pings(socket, 3)).toEqual({ pongs: 2, limited: true });
    expect(socket.socket.readyState).toBe(WebSocket.OPEN);
    socket.close();
  });

  test("a refused file leaves the running limits in force", async () => {
    const { t, logs, connect } = await serve({ messagesPerSecond: 1, burst: 2 });
    const socket = await connect();

    await reloadWith(t, configWith({ messagesPerSecond: 0, burst: 30 }));
    const [failure] = logged(logs, "config reload failed: keeping the running config");
    expect(JSON.stringify(failure)).toContain("plugins.websocket.messagesPerSecond");
    expect(await pings(socket, 3)).toEqual({ pongs: 2, limited: true });
    socket.close();
  });

  test("a lower maxConnectionsPerUser refuses the next socket and keeps those open", async () => {
    const { t, wsUrl, token, connect } = await serve({ maxConnectionsPerUser: 4 });
    const first = await connect();
    const second = await connect();

    await reloadWith(t, configWith({ maxConnectionsPerUser: 1 }));
    const refused = await attemptUpgrade(wsUrl, { authorization: `Bearer ${token}` });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ detail: "At most 1 WebSockets per user; close one first" });
    for (const socket of [first, second]) {
      socket.send({ type: "ping" });
      await socket.next("pong");
      socket.close();
    }
  });

  test("a shorter authTimeoutMs closes the next unauthenticated socket at the new deadline", async () => {
    const { t, wsUrl } = await serve({ authTimeoutMs: 60_000 });
    await reloadWith(t, configWith({ authTimeoutMs: 200 }));
    const anonymous = await openProbe(wsUrl);
    const closed = await anonymous.closed;
    expect(closed.code).toBe(4401);
    expect(closed.at - anonymous.openedAt).toBeLessThan(5000);
  });

  test("settings that shape the server are logged as needing a restart and keep their start-up values", async () => {
    const { t, logs, connect } = await serve({});
    await reloadWith(t, configWith({ path: "/live", maxPayloadBytes: 2048, messagesPerSecond: 50 }));
    const [restart] = logged(logs, "config change needs a restart to take effect");
    expect(restart?.paths).toEqual(["plugins.websocket.path", "plugins.websocket.maxPayloadBytes"]);
    // Still served where it was.
    const socket = await connect();
    socket.send({ type: "ping", padding: "x".repeat(4000) });
    await socket.next("pong");
    socket.close();
  });
});
