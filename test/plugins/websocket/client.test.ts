import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createSession } from "../../../core/identity/sessions";
import { createUser } from "../../../core/identity/users";
import { createWorkspace } from "../../../core/identity/workspaces";
import { type SocketStatus, type StatusDetail, TesseraSocket } from "../../../plugins/websocket/client";
import type { EventMessage } from "../../../plugins/websocket/protocol";
import { startTestRuntime, type TestRuntime } from "../../support/test-runtime";

let t: TestRuntime;
let base: string;
let url: string;
let userId: string;
let token: string;
beforeAll(async () => {
  t = await startTestRuntime({ plugins: { websocket: { enabled: true } } });
  t.runtime.app.listen({ port: 0, hostname: "127.0.0.1" });
  base = `http://127.0.0.1:${t.runtime.app.server?.port}`;
  url = `${base.replace("http", "ws")}/ws`;
  const user = await createUser(t.runtime.db, { email: "client@example.com" });
  userId = user.id;
  token = (await createSession(t.runtime.db, user.id, { ttlMs: 3_600_000 })).token;
});
afterAll(async () => {
  await t.close();
  await t.runtime.app.stop(true);
});

/** Records every socket the client opens, so a test can drop one. */
const opened: WebSocket[] = [];
class RecordingWebSocket extends WebSocket {
  constructor(target: string | URL) {
    super(target);
    opened.push(this);
  }
}

const until = async (condition: () => boolean, what: string, timeoutMs = 3000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
};

const fastRetry = { initialDelayMs: 10, maxDelayMs: 40 };

describe("the websocket client", () => {
  test("resumes a workspace after a dropped connection from the last event seen: nothing lost, nothing twice", async () => {
    const workspace = await createWorkspace(t.runtime.db, "followed", userId);
    const received: EventMessage[] = [];
    const statuses: SocketStatus[] = [];
    const client = new TesseraSocket({
      url,
      token: async () => token,
      WebSocket: RecordingWebSocket,
      reconnect: fastRetry,
      onEvent: (event) => received.push(event),
      onStatus: (status) => statuses.push(status),
    });
    client.subscribe(workspace.id);
    await until(() => statuses.includes("open"), "open");
    // The subscription is in place once an event published now arrives.
    await until(() => {
      void t.runtime.events.publish(workspace.id, "probe", {});
      return received.length > 0;
    }, "the first event");
    const before = received.length;

    opened.at(-1)?.close();
    for (let i = 0; i < 3; i++) await t.runtime.events.publish(workspace.id, "while-away", { i });
    await until(() => received.length >= before + 3, "the replayed events");
    await t.runtime.events.publish(workspace.id, "live", {});
    await until(() => received.at(-1)?.event === "live", "the live event");
    client.close();

    const ids = received.map((event) => Number(event.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    expect(received.slice(before).map((event) => event.event)).toEqual(expect.arrayContaining(["while-away", "live"]));
    expect(statuses).toContain("reconnecting");
    expect(client.lastEventId(workspace.id)).toBe(String(ids.at(-1)));
  });

  test("fetches a fresh single-use ticket before every connect", async () => {
    let fetched = 0;
    const statuses: SocketStatus[] = [];
    const client = new TesseraSocket({
      url,
      WebSocket: RecordingWebSocket,
      reconnect: fastRetry,
      ticket: async () => {
        fetched++;
        const response = await fetch(`${base}/ws/ticket`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
        return (await response.json()).ticket;
      },
      onStatus: (status) => statuses.push(status),
    });
    await until(() => statuses.includes("open"), "open");
    opened.at(-1)?.close();
    await until(() => statuses.filter((status) => status === "open").length === 2, "the second open");
    client.close();
    expect(fetched).toBe(2);
  });

  test("gives up when the server refuses a fixed token, rather than retrying forever", async () => {
    const details: [SocketStatus, StatusDetail | undefined][] = [];
    new TesseraSocket({
      url,
      token: "tss_this-token-was-never-issued-by-the-server-000000",
      reconnect: fastRetry,
      onStatus: (status, detail) => details.push([status, detail]),
    });
    await until(() => details.some(([status]) => status === "closed"), "closed");
    expect(details.at(-1)).toEqual(["closed", { code: 4401, reason: "authentication failed" }]);
  });

  test("tells the application when the user was removed, and does not resubscribe after", async () => {
    const workspace = await createWorkspace(t.runtime.db, "leaving", userId);
    const removed: string[] = [];
    const statuses: SocketStatus[] = [];
    const client = new TesseraSocket({
      url,
      token,
      WebSocket: RecordingWebSocket,
      reconnect: fastRetry,
      onRemoved: (workspaceId) => removed.push(workspaceId),
      onStatus: (status) => statuses.push(status),
    });
    client.subscribe(workspace.id);
    await until(() => statuses.includes("open"), "open");
    await until(() => t.runtime.metrics.render().includes("tessera_ws_subscriptions 1"), "the subscription");
    await t.runtime.events.publish(workspace.id, "member.removed", { userId });
    await until(() => removed.length === 1, "the removal");
    opened.at(-1)?.close();
    await until(() => statuses.filter((status) => status === "open").length === 2, "the reconnect");
    await Bun.sleep(50);
    const metrics = t.runtime.metrics.render();
    client.close();
    expect(removed).toEqual([workspace.id]);
    expect(metrics).toContain("tessera_ws_subscriptions 0");
  });
});
