import { describe, expect, test } from "bun:test";
import { openProbe } from "../plugins/websocket/support/probe";
import { serveWebSocket } from "../plugins/websocket/support/served";

describe("websocket shutdown", () => {
  test("SIGTERM closes every socket with 1001 so clients reconnect elsewhere, and the process exits cleanly", async () => {
    const ws = await serveWebSocket();
    const user = await ws.user("leaving@example.com");
    const authenticated = await ws.connect(user.token);
    const waiting = await openProbe(ws.wsUrl);
    const exit = ws.stop();
    const [first, second] = await Promise.all([authenticated.closed, waiting.closed]);
    expect(first.code).toBe(1001);
    expect(second.code).toBe(1001);
    expect(await exit).toBe(0);
  }, 30_000);
});
