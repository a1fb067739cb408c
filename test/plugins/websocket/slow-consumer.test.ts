import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import net from "node:net";
import { createSession } from "../../../core/identity/sessions";
import { createUser } from "../../../core/identity/users";
import { createWorkspace } from "../../../core/identity/workspaces";
import { startTestRuntime, type TestRuntime } from "../../support/test-runtime";

let t: TestRuntime;
let port: number;
beforeAll(async () => {
  t = await startTestRuntime({ plugins: { websocket: { enabled: true, maxBufferedBytes: 65_536 } } });
  t.runtime.app.listen({ port: 0, hostname: "127.0.0.1" });
  port = t.runtime.app.server?.port ?? 0;
});
afterAll(async () => {
  await t.close();
  await t.runtime.app.stop(true);
});

/** A client text frame (masked, as RFC 6455 requires of clients) with a payload under 126 bytes. */
const textFrame = (text: string) => {
  const payload = Buffer.from(text);
  const mask = Buffer.from([1, 2, 3, 4]);
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, payload.map((byte, i) => byte ^ (mask[i % 4] ?? 0))]);
};

describe("a slow consumer", () => {
  test("is closed with 1013 once its send buffer passes maxBufferedBytes, not buffered without bound", async () => {
    const { db } = t.runtime;
    const user = await createUser(db, { email: "slow@example.com" });
    const { token } = await createSession(db, user.id, { ttlMs: 60_000 });
    const workspace = await createWorkspace(db, "busy", user.id);

    const socket = net.connect(port, "127.0.0.1");
    let received = "";
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
    });
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write(
      [
        "GET /ws HTTP/1.1",
        `Host: 127.0.0.1:${port}`,
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
        `Authorization: Bearer ${token}`,
        "",
        "",
      ].join("\r\n"),
    );
    socket.write(textFrame(JSON.stringify({ type: "subscribe", workspaceId: workspace.id })));
    while (!received.includes('"subscribed"')) await Bun.sleep(10);
    // From here on the client reads nothing, like a stalled browser tab on a bad network.
    socket.pause();

    const data = "x".repeat(16 * 1024);
    for (let i = 0; i < 2000; i++) await t.runtime.events.publish(workspace.id, "bulk", data);
    const metrics = t.runtime.metrics.render();
    socket.destroy();

    expect(metrics).toContain('tessera_ws_closes_total{code="1013"} 1');
    expect(metrics).toContain("tessera_ws_connections 0");
  }, 20_000);
});
