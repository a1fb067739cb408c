// `tessera users disable` from the host, against a running server sharing Redis: the user's open
// WebSocket and event stream end at once, as at sign-out, and their token stops working.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { openEventStream } from "../../plugins/websocket/support/event-stream";
import { openProbe } from "../../plugins/websocket/support/probe";
import { clearPrefix, redisTestUrl, uniquePrefix } from "../../support/redis";
import { type ServedInstance, serveProcess } from "../../support/serve-process";

const redis = await redisTestUrl();

describe.skipIf(!redis)("disabling a user closes their live connections on a running server", () => {
  const prefix = uniquePrefix("admin-disable");
  let server: ServedInstance;
  const cli = async (...args: string[]) => {
    const result = await server.cli(...args);
    if (result.code !== 0) throw new Error(`${args.join(" ")} failed: ${result.stderr}`);
    return result.stdout.trim();
  };
  const http = (path: string, token: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, {
      ...init,
      headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...init.headers },
    });

  beforeAll(async () => {
    server = await serveProcess({
      database: { url: "sqlite:./live.db" },
      redis: { url: redis ?? "", prefix },
      log: { level: "warn" },
      plugins: { websocket: { enabled: true, connectionAttemptsPerMinutePerIp: 100_000 } },
    });
    await cli("users", "create", "--email", "leaver@example.com");
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    if (redis) await clearPrefix(redis, prefix);
  });

  test("ends the disabled user's socket with 4401 and their event stream, within a second of the command", async () => {
    const token = await cli("sessions", "create", "--email", "leaver@example.com");
    const created = await http("/workspaces", token, { method: "POST", body: JSON.stringify({ name: "team" }) });
    expect(created.status).toBe(201);
    const workspaceId = String((await created.json()).id);
    // The server answers this token from its session cache from here on.
    expect((await http("/me", token)).status).toBe(200);
    const socket = await openProbe(`${server.url.replace(/^http/, "ws")}/ws`, { headers: { authorization: `Bearer ${token}` } });
    await socket.next("ready");
    const stream = await openEventStream(`${server.url}/workspaces/${workspaceId}/events`, { authorization: `Bearer ${token}` });
    expect(stream.response.status).toBe(200);
    await stream.next("subscribed");

    expect(await cli("users", "disable", "leaver@example.com")).toBe("Disabled leaver@example.com; revoked 1 session(s)");
    const disabledAt = performance.now();
    expect(await socket.closed).toMatchObject({ code: 4401, reason: "session revoked" });
    expect(JSON.parse((await stream.next("error", 1000)).data)).toMatchObject({ code: "session_revoked" });
    expect(performance.now() - disabledAt).toBeLessThan(1000);
    expect((await http("/me", token)).status).toBe(401);
  }, 60_000);
});
