import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { attemptUpgrade, openProbe } from "../plugins/websocket/support/probe";
import { serveWebSocket, type WsInstance } from "../plugins/websocket/support/served";

const BURST = 5;

let ws: WsInstance;
let flooder: { id: string; token: string };
let bystander: { id: string; token: string };
let greedy: { id: string; token: string };
beforeAll(async () => {
  ws = await serveWebSocket({ messagesPerSecond: 5, burst: BURST, maxConnectionsPerUser: 2, maxPayloadBytes: 1024 });
  [flooder, bystander, greedy] = await Promise.all([
    ws.user("flooder@example.com"),
    ws.user("bystander@example.com"),
    ws.user("greedy@example.com"),
  ]);
}, 30_000);
afterAll(() => ws.stop());

describe("websocket limits", () => {
  test("a flood gets rate_limited first, then a 4429 close, while another user is unaffected", async () => {
    const flood = await ws.connect(flooder.token);
    const calm = await ws.connect(bystander.token);
    for (let i = 0; i < BURST * 4; i++) flood.send({ type: "ping" });
    const closed = await flood.closed;
    expect(closed.code).toBe(4429);
    const kinds = flood.messages.map((m) => (m.type === "error" ? m.code : m.type));
    expect(kinds).toEqual(["ready", ...Array(BURST).fill("pong"), "rate_limited"]);
    expect(flood.messages.at(-1)).toMatchObject({ retryAfterMs: expect.any(Number) });

    calm.send({ type: "ping" });
    await calm.next("pong");
    calm.close();
  });

  test("connections past maxConnectionsPerUser are refused: 429 at upgrade, 4429 after an auth message", async () => {
    const first = await ws.connect(greedy.token);
    const second = await ws.connect(greedy.token);
    const refused = await attemptUpgrade(ws.wsUrl, { authorization: `Bearer ${greedy.token}` });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(await refused.json()).toMatchObject({ code: "ERR_RATE_LIMITED" });

    const byMessage = await openProbe(ws.wsUrl);
    byMessage.send({ type: "auth", token: greedy.token });
    expect((await byMessage.closed).code).toBe(4429);
    expect(byMessage.messages).toEqual([expect.objectContaining({ type: "error", code: "too_many_connections" })]);

    first.close();
    await first.closed;
    const third = await ws.connect(greedy.token);
    second.close();
    third.close();
  });

  test("a frame larger than maxPayloadBytes closes the socket with 1009", async () => {
    const socket = await ws.connect(bystander.token);
    socket.send({ type: "ping", padding: "x".repeat(2000) });
    expect((await socket.closed).code).toBe(1009);
  });

  test("malformed frames get an error with a code, and the socket stays open", async () => {
    const socket = await ws.connect(bystander.token);
    const cases: [string | Uint8Array, string][] = [
      ["{not json", "bad_message"],
      ["[1,2]", "bad_message"],
      ['{"type":7}', "bad_message"],
      ['{"type":"publish"}', "unknown_type"],
      ['{"type":"subscribe"}', "bad_message"],
      ['{"type":"subscribe","workspaceId":"w","since":"yesterday"}', "bad_message"],
      [new Uint8Array([1, 2, 3]), "bad_message"],
    ];
    for (const [frame, code] of cases) {
      socket.socket.send(frame);
      expect(await socket.next("error")).toMatchObject({ code });
      // Within the 5 messages a second this server allows.
      await Bun.sleep(210);
    }
    socket.send({ type: "ping" });
    await socket.next("pong");
    socket.close();
  });

  test("before authenticating, anything but an auth message gets an error and a 4401 close", async () => {
    const socket = await openProbe(ws.wsUrl);
    socket.send({ type: "subscribe", workspaceId: "w" });
    expect((await socket.closed).code).toBe(4401);
    expect(socket.messages).toEqual([expect.objectContaining({ type: "error", code: "unauthenticated" })]);
  });
});

describe("websocket connection attempts per IP", () => {
  let limited: WsInstance;
  beforeAll(async () => {
    limited = await serveWebSocket({ connectionAttemptsPerMinutePerIp: 3 });
  }, 30_000);
  afterAll(() => limited.stop());

  test("attempts past the limit get a 429 problem with Retry-After before any upgrade", async () => {
    for (let i = 0; i < 3; i++) expect((await attemptUpgrade(limited.wsUrl)).status).not.toBe(429);
    const refused = await attemptUpgrade(limited.wsUrl);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(refused.headers.get("ratelimit-limit")).toBe("3");
  });
});
