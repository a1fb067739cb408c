// Security issue #17, attack 5, scaled out: two `tessera serve` processes on one PostgreSQL and one
// Redis. A sign-out through instance A must end the session's WebSocket and event stream held by
// instance B within a second, although B answers from its own memory.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { openEventStream } from "../plugins/websocket/support/event-stream";
import { openProbe } from "../plugins/websocket/support/probe";
import { createScratchDatabase, postgresTestUrl } from "../support/postgres";
import { clearPrefix, redisTestUrl, uniquePrefix } from "../support/redis";
import { type ServedInstance, serveProcess } from "../support/serve-process";

const postgres = await postgresTestUrl();
const redis = await redisTestUrl();
const ORIGIN = "http://localhost:3000";

describe.skipIf(!postgres || !redis)("revocation reaches live connections on every instance sharing Redis", () => {
  const prefix = uniquePrefix("revocation");
  let a: ServedInstance;
  let b: ServedInstance;
  let dropDatabase = async () => {};
  const http = (at: ServedInstance, path: string, init: RequestInit = {}, token?: string) =>
    fetch(`${at.url}${path}`, {
      ...init,
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers },
    });
  const cli = async (...args: string[]) => {
    const result = await a.cli(...args);
    if (result.code !== 0) throw new Error(`${args.join(" ")} failed: ${result.stderr}`);
    return result.stdout.trim();
  };

  beforeAll(async () => {
    const scratch = await createScratchDatabase();
    dropDatabase = scratch.drop;
    const settings = {
      server: { allowedOrigins: [ORIGIN] },
      database: { url: scratch.url },
      redis: { url: redis ?? "", prefix },
      log: { level: "warn" },
      plugins: { websocket: { enabled: true, connectionAttemptsPerMinutePerIp: 100_000 }, console: { enabled: true } },
    };
    // One after the other: the first runs the migrations.
    a = await serveProcess(settings, { timeoutMs: 30_000 });
    b = await serveProcess(settings, { timeoutMs: 30_000 });
    await cli("users", "create", "--email", "alice@example.com");
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await dropDatabase();
    if (redis) await clearPrefix(redis, prefix);
  });

  test("refuses workspace events on B to a session signed out on A: the socket closes 4401, the stream ends with `event: error`, within 1 s", async () => {
    const token = await cli("sessions", "create", "--email", "alice@example.com", "--ttl", "8h");
    const created = await http(a, "/workspaces", { method: "POST", body: JSON.stringify({ name: "team" }) }, token);
    expect(created.status).toBe(201);
    const workspaceId = String((await created.json()).id);
    // B has the session in its own cache, as a busy instance would.
    expect((await http(b, "/me", {}, token)).status).toBe(200);
    const socket = await openProbe(`${b.url.replace(/^http/, "ws")}/ws`, { headers: { authorization: `Bearer ${token}` } });
    await socket.next("ready");
    socket.send({ type: "subscribe", workspaceId });
    await socket.next("subscribed");
    const stream = await openEventStream(`${b.url}/workspaces/${workspaceId}/events`, { authorization: `Bearer ${token}` });
    expect(stream.response.status).toBe(200);
    await stream.next("subscribed");

    const signedOutAt = performance.now();
    const signedOut = await http(a, "/console/sign-out", {
      method: "POST",
      redirect: "manual",
      headers: { cookie: `tessera_session=${token}`, origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" },
    });
    expect(signedOut.status).toBe(303);
    const closed = await socket.closed;
    expect(closed).toMatchObject({ code: 4401, reason: "session revoked" });
    expect(closed.at - signedOutAt).toBeLessThan(1000);
    expect(JSON.parse((await stream.next("error", 1000)).data)).toMatchObject({ code: "session_revoked" });
    expect(await stream.ended).toBe("closed");
    expect(performance.now() - signedOutAt).toBeLessThan(1000);
    expect((await http(b, "/me", {}, token)).status).toBe(401);
  });
});
