import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SignJWT } from "jose";
import { attemptUpgrade, openProbe } from "../plugins/websocket/support/probe";
import { ALLOWED_ORIGIN, serveWebSocket, type WsInstance } from "../plugins/websocket/support/served";

const AUTH_TIMEOUT_MS = 600;

let ws: WsInstance;
let alice: { id: string; token: string };
let bob: { id: string; token: string };
beforeAll(async () => {
  ws = await serveWebSocket({ authTimeoutMs: AUTH_TIMEOUT_MS });
  alice = await ws.user("alice@example.com");
  bob = await ws.user("bob@example.com");
}, 30_000);
afterAll(() => ws.stop());

const ticketFor = async (token: string) => {
  const response = await ws.http("/ws/ticket", token, { method: "POST" });
  expect(response.status).toBe(200);
  return (await response.json()) as { ticket: string; expiresAt: number };
};

describe("websocket authentication", () => {
  test("a bearer session token at upgrade: ready with the user id and the session's expiry", async () => {
    const socket = await openProbe(ws.wsUrl, { headers: { authorization: `Bearer ${alice.token}` } });
    const ready = await socket.next("ready");
    expect(ready.userId).toBe(alice.id);
    expect(ready.expiresAt).toBeGreaterThan(Date.now() + 50 * 60_000);
    socket.close();
  });

  test("a ticket from POST /ws/ticket opens one socket as its user; a second use is refused", async () => {
    const { ticket, expiresAt } = await ticketFor(alice.token);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(30_000);
    const socket = await openProbe(`${ws.wsUrl}?ticket=${ticket}`);
    expect((await socket.next("ready")).userId).toBe(alice.id);
    socket.close();

    const again = await attemptUpgrade(`${ws.wsUrl}?ticket=${ticket}`);
    expect(again.status).toBe(401);
    expect(again.headers.get("content-type")).toBe("application/problem+json");
    expect(await again.json()).toMatchObject({ code: "ERR_UNAUTHENTICATED", detail: expect.stringContaining("already used") });
  });

  test("a ticket forged for another user, or altered to name one, is refused", async () => {
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256", typ: "tessera-ws-ticket+jwt" })
      .setIssuer(ws.served.url)
      .setAudience("tessera:ws")
      .setSubject(bob.id)
      .setJti(crypto.randomUUID())
      .setIssuedAt()
      .setExpirationTime("30s")
      .sign(new TextEncoder().encode("a-guess-at-the-secret-that-is-long-enough"));
    expect((await attemptUpgrade(`${ws.wsUrl}?ticket=${forged}`)).status).toBe(401);

    const [header, payload, signature] = (await ticketFor(alice.token)).ticket.split(".");
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString());
    const altered = Buffer.from(JSON.stringify({ ...claims, sub: bob.id })).toString("base64url");
    expect((await attemptUpgrade(`${ws.wsUrl}?ticket=${header}.${altered}.${signature}`)).status).toBe(401);
  });

  test("POST /ws/ticket needs a signed-in user", async () => {
    const response = await ws.http("/ws/ticket", undefined, { method: "POST" });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: "ERR_UNAUTHENTICATED" });
  });

  test("POST /ws/ticket refuses a body: it takes none, so garbage is not taken for a request", async () => {
    for (const body of ["[]", "42", "null", '{"userId":"x"}']) {
      const response = await ws.http("/ws/ticket", alice.token, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      expect(response.status).toBe(422);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
    }
    const anonymous = await ws.http("/ws/ticket", undefined, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "[]",
    });
    expect(anonymous.status).toBe(401);
  });

  test("a first auth message authenticates a socket opened without credentials", async () => {
    const socket = await openProbe(ws.wsUrl);
    socket.send({ type: "auth", token: bob.token });
    expect((await socket.next("ready")).userId).toBe(bob.id);
    socket.send({ type: "ping" });
    await socket.next("pong");
    socket.close();
  });

  test("a socket that does not authenticate is closed with 4401 after authTimeoutMs, not before", async () => {
    const socket = await openProbe(ws.wsUrl);
    const closed = await socket.closed;
    const elapsed = closed.at - socket.openedAt;
    expect(closed.code).toBe(4401);
    expect(socket.messages).toEqual([expect.objectContaining({ type: "error", code: "auth_timeout" })]);
    // The client sees the open a moment after the server starts the clock, hence the small allowance below.
    expect(elapsed).toBeGreaterThanOrEqual(AUTH_TIMEOUT_MS - 25);
    expect(elapsed).toBeLessThan(AUTH_TIMEOUT_MS + 250);
  });

  test("a bad bearer token at upgrade is a 401 problem; in an auth message it closes with 4401", async () => {
    const refused = await attemptUpgrade(ws.wsUrl, { authorization: "Bearer tss_not-a-real-session-token-at-all-000000000000" });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: "ERR_UNAUTHENTICATED" });

    const socket = await openProbe(ws.wsUrl);
    socket.send({ type: "auth", token: "tss_not-a-real-session-token-at-all-000000000000" });
    expect((await socket.closed).code).toBe(4401);
    expect(socket.messages).toEqual([expect.objectContaining({ type: "error", code: "unauthenticated" })]);
  });

  test("a socket whose session expires is closed with 4401 at the expiry", async () => {
    const token = await ws.session("alice@example.com", "2s");
    const socket = await openProbe(ws.wsUrl, { headers: { authorization: `Bearer ${token}` } });
    const { expiresAt } = await socket.next("ready");
    const closed = await socket.closed;
    expect(closed.code).toBe(4401);
    expect(socket.messages.at(-1)).toMatchObject({ type: "error", code: "token_expired" });
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt ?? Number.POSITIVE_INFINITY);
    expect(Date.now()).toBeLessThan((expiresAt ?? 0) + 500);
  });

  test("re-authenticating with a fresh token of the same user keeps the socket open past the old expiry", async () => {
    const shortLived = await ws.session("bob@example.com", "2s");
    const socket = await openProbe(ws.wsUrl, { headers: { authorization: `Bearer ${shortLived}` } });
    await socket.next("ready");
    socket.send({ type: "auth", token: alice.token });
    expect(await socket.next("error")).toMatchObject({ code: "user_mismatch" });
    socket.send({ type: "auth", token: bob.token });
    expect((await socket.next("ready")).expiresAt).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(await socket.quiet("error", 2500)).toBe(true);
    expect(socket.socket.readyState).toBe(WebSocket.OPEN);
    socket.close();
  }, 10_000);

  test("an Origin outside allowedOrigins is refused at upgrade; a listed one and none are let in", async () => {
    const refused = await attemptUpgrade(ws.wsUrl, { authorization: `Bearer ${alice.token}`, origin: "https://evil.example" });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: "ERR_FORBIDDEN", path: "Origin" });
    (await ws.connect(alice.token, { origin: ALLOWED_ORIGIN })).close();
    (await ws.connect(alice.token)).close();
  });

  test("?token= is refused while allowQueryToken is off, and tokens in URLs never reach the log", async () => {
    const refused = await attemptUpgrade(`${ws.wsUrl}?token=${alice.token}`);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ code: "ERR_BAD_REQUEST", path: "token" });
    const { ticket } = await ticketFor(alice.token);
    await attemptUpgrade(`${ws.wsUrl}?ticket=${ticket}x`);
    expect(ws.served.output()).not.toContain(alice.token);
    expect(ws.served.output()).not.toContain(ticket);
  });
});
