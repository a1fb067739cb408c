// Security issue #17, attack 5, on one real server: after sign-out, the session's open WebSocket and
// event stream must end within a second, not keep receiving workspace events until the session's
// original expiry; and a ticket taken before the sign-out must open nothing after it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { openEventStream } from "../plugins/websocket/support/event-stream";
import { attemptUpgrade, openProbe } from "../plugins/websocket/support/probe";
import { type ServedInstance, serveProcess } from "../support/serve-process";

const ORIGIN = "http://localhost:3000";

describe("revocation reaches live connections (one instance)", () => {
  let served: ServedInstance;
  const http = (path: string, init: RequestInit = {}, token?: string) =>
    fetch(`${served.url}${path}`, {
      ...init,
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers },
    });
  const cli = async (...args: string[]) => {
    const result = await served.cli(...args);
    if (result.code !== 0) throw new Error(`${args.join(" ")} failed: ${result.stderr}`);
    return result.stdout.trim();
  };
  const session = (email: string) => cli("sessions", "create", "--email", email, "--ttl", "8h");
  /** Signs out as the console's page does: the session cookie, posted from this site. */
  const signOut = async (token: string) => {
    const response = await http("/console/sign-out", {
      method: "POST",
      redirect: "manual",
      headers: { cookie: `tessera_session=${token}`, origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" },
    });
    expect(response.status).toBe(303);
    expect((await http("/me", {}, token)).status).toBe(401);
  };
  const workspace = async (token: string) => {
    const response = await http("/workspaces", { method: "POST", body: JSON.stringify({ name: "team" }) }, token);
    expect(response.status).toBe(201);
    return String((await response.json()).id);
  };

  beforeAll(async () => {
    served = await serveProcess({
      server: { allowedOrigins: [ORIGIN] },
      database: { url: "sqlite:./data/tessera.db" },
      log: { level: "warn" },
      plugins: { websocket: { enabled: true, connectionAttemptsPerMinutePerIp: 100_000 }, console: { enabled: true } },
    });
    await cli("users", "create", "--email", "alice@example.com");
  }, 30_000);
  afterAll(() => served?.stop());

  test("refuses workspace events to the WebSocket and the event stream of a signed-out session: 4401 and `event: error` within 1 s", async () => {
    const token = await session("alice@example.com");
    const otherDevice = await session("alice@example.com");
    const workspaceId = await workspace(token);
    const socket = await openProbe(`${served.url.replace(/^http/, "ws")}/ws`, { headers: { authorization: `Bearer ${token}` } });
    await socket.next("ready");
    socket.send({ type: "subscribe", workspaceId });
    await socket.next("subscribed");
    const stream = await openEventStream(`${served.url}/workspaces/${workspaceId}/events`, { authorization: `Bearer ${token}` });
    expect(stream.response.status).toBe(200);
    await stream.next("subscribed");
    const kept = await openProbe(`${served.url.replace(/^http/, "ws")}/ws`, {
      headers: { authorization: `Bearer ${otherDevice}` },
    });
    await kept.next("ready");

    const signedOutAt = performance.now();
    await signOut(token);
    const closed = await socket.closed;
    expect(closed.code).toBe(4401);
    expect(closed.reason).toBe("session revoked");
    expect(closed.at - signedOutAt).toBeLessThan(1000);
    expect((await socket.next("error")).code).toBe("session_revoked");
    const error = await stream.next("error", 1000);
    expect(JSON.parse(error.data)).toMatchObject({ type: "error", code: "session_revoked" });
    expect(await stream.ended).toBe("closed");
    expect(performance.now() - signedOutAt).toBeLessThan(1000);

    // The session's events stop; another session of the same user keeps its socket.
    expect(await kept.quiet("error", 200)).toBe(true);
    kept.send({ type: "ping" });
    await kept.next("pong");
    kept.close();
  });

  test("refuses a WebSocket ticket issued before sign-out: the upgrade gets 401", async () => {
    const token = await session("alice@example.com");
    const issued = await http("/ws/ticket", { method: "POST" }, token);
    expect(issued.status).toBe(200);
    const { ticket } = await issued.json();
    await signOut(token);
    const refused = await attemptUpgrade(`${served.url.replace(/^http/, "ws")}/ws?ticket=${encodeURIComponent(ticket)}`, {
      origin: ORIGIN,
    });
    expect(refused.status).toBe(401);
  });
});
