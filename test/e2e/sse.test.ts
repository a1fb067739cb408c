// Server-Sent Events against a real `tessera serve`: the same workspace events as the WebSocket, over
// plain HTTP (fetch here, as curl -N would), and through a browser's EventSource in headless Chromium.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { SESSION_COOKIE } from "../../core/identity/session-resolver";
import type { EventMessage } from "../../plugins/websocket/protocol";
import { type EventStreamProbe, openEventStream, type StreamEvent } from "../plugins/websocket/support/event-stream";
import { serveWebSocket, type WsInstance } from "../plugins/websocket/support/served";
import { chromiumAvailable, launchChromium } from "../support/chromium";

const REPLAY_LIMIT = 4;
const HEARTBEAT_MS = 500;
const MAX_STREAMS = 2;

let ws: WsInstance;
let owner: { id: string; token: string };
let member: { id: string; token: string };
let outsider: { id: string; token: string };
beforeAll(async () => {
  ws = await serveWebSocket({
    replayLimit: REPLAY_LIMIT,
    sse: { heartbeatMs: HEARTBEAT_MS, maxStreamsPerUser: MAX_STREAMS, retryMs: 1000 },
  });
  [owner, member, outsider] = await Promise.all([
    ws.user("owner@example.com"),
    ws.user("member@example.com"),
    ws.user("outsider@example.com"),
  ]);
}, 30_000);
afterAll(() => ws.stop());

const eventsUrl = (workspaceId: string, query = "") => `${ws.served.url}/workspaces/${workspaceId}/events${query}`;

/** A workspace with `member` in it (event 1). */
const team = async () => {
  const workspaceId = await ws.workspace(owner.token);
  await ws.addMember(owner.token, workspaceId, "member@example.com", "member");
  return workspaceId;
};

/** Two more events: the outsider joins and leaves. */
const churn = async (workspaceId: string) => {
  await ws.addMember(owner.token, workspaceId, "outsider@example.com", "viewer");
  await ws.removeMember(owner.token, workspaceId, outsider.id);
};

const follow = async (token: string, workspaceId: string, headers: Record<string, string> = {}, query = "") => {
  const stream = await openEventStream(eventsUrl(workspaceId, query), { authorization: `Bearer ${token}`, ...headers });
  expect(stream.response.status).toBe(200);
  await stream.next("subscribed");
  return stream;
};

const parsed = (event: StreamEvent) => JSON.parse(event.data) as EventMessage;

const problem = async (response: Response, status: number) => {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toContain("application/problem+json");
  return response.json();
};

describe("server-sent events over HTTP", () => {
  test("refuses a request without credentials, and one with a bad token, with a 401 problem", async () => {
    const workspaceId = await team();
    const none = await openEventStream(eventsUrl(workspaceId));
    expect((await problem(none.response, 401)).code).toBe("ERR_UNAUTHENTICATED");
    const bad = await openEventStream(eventsUrl(workspaceId), { authorization: "Bearer tss_not-a-session" });
    expect((await problem(bad.response, 401)).code).toBe("ERR_UNAUTHENTICATED");
  });

  test("answers a non-member and an unknown workspace alike: 404", async () => {
    const workspaceId = await team();
    const foreign = await openEventStream(eventsUrl(workspaceId), { authorization: `Bearer ${outsider.token}` });
    const unknown = await openEventStream(eventsUrl("00000000-0000-0000-0000-000000000000"), {
      authorization: `Bearer ${outsider.token}`,
    });
    const [a, b] = [await problem(foreign.response, 404), await problem(unknown.response, 404)];
    expect(a.code).toBe("ERR_NOT_FOUND");
    expect(a.detail).toBe(b.detail);
  });

  test("answers 406 when Accept rules out text/event-stream, and 400 for a resume id that is no event id", async () => {
    const workspaceId = await team();
    const json = await openEventStream(eventsUrl(workspaceId), {
      authorization: `Bearer ${member.token}`,
      accept: "application/json",
    });
    expect(await problem(json.response, 406)).toMatchObject({ code: "ERR_NOT_ACCEPTABLE", title: "Not Acceptable" });
    const resume = await openEventStream(eventsUrl(workspaceId), {
      authorization: `Bearer ${member.token}`,
      "last-event-id": "yesterday",
    });
    expect((await problem(resume.response, 400)).code).toBe("ERR_BAD_REQUEST");
  });

  test("streams a member's events in order: headers, retry hint, then id: and the WebSocket's event JSON", async () => {
    const workspaceId = await team();
    const stream = await follow(member.token, workspaceId);
    expect(stream.response.headers.get("content-type")).toBe("text/event-stream");
    expect(stream.response.headers.get("cache-control")).toBe("no-cache");
    expect(stream.response.headers.get("x-accel-buffering")).toBe("no");
    expect(stream.retry).toBe(1000);
    await churn(workspaceId);
    await churn(workspaceId);
    const received = [await stream.next(), await stream.next(), await stream.next(), await stream.next()];
    expect(received.map((event) => event.id)).toEqual(["2", "3", "4", "5"]);
    expect(received.map((event) => parsed(event).event)).toEqual([
      "member.added",
      "member.removed",
      "member.added",
      "member.removed",
    ]);
    expect(parsed(received[0] as StreamEvent)).toEqual({
      type: "event",
      workspaceId,
      id: "2",
      event: "member.added",
      data: { userId: outsider.id, role: "viewer" },
      ts: expect.any(Number),
    });
    stream.close();
  });

  test("accepts the session cookie as well as a bearer token", async () => {
    const workspaceId = await team();
    const stream = await openEventStream(eventsUrl(workspaceId), { cookie: `${SESSION_COOKIE}=${member.token}` });
    expect(stream.response.status).toBe(200);
    expect(JSON.parse((await stream.next("subscribed")).data)).toEqual({ type: "subscribed", workspaceId });
    stream.close();
  });

  test("resuming with Last-Event-ID after a disconnect loses nothing and repeats nothing; ?since= does the same", async () => {
    const workspaceId = await team();
    const first = await follow(member.token, workspaceId);
    await churn(workspaceId);
    const seen = (await first.next()).id ?? "";
    first.close();

    await churn(workspaceId);
    const resumed = await follow(member.token, workspaceId, { "last-event-id": seen });
    await ws.addMember(owner.token, workspaceId, "outsider@example.com", "viewer");
    for (let i = 0; i < 4; i++) await resumed.next();
    expect(resumed.events.filter((e) => e.event === "message").map((e) => e.id)).toEqual(["3", "4", "5", "6"]);
    resumed.close();

    // Last-Event-ID wins over ?since=: a reconnecting EventSource keeps its first URL.
    const bySince = await follow(member.token, workspaceId, { "last-event-id": "5" }, "?since=1");
    await bySince.next();
    expect(bySince.events.filter((e) => e.event === "message").map((e) => e.id)).toEqual(["6"]);
    bySince.close();
    const byQuery = await follow(member.token, workspaceId, {}, "?since=4");
    await byQuery.next();
    await byQuery.next();
    expect(byQuery.events.filter((e) => e.event === "message").map((e) => e.id)).toEqual(["5", "6"]);
    byQuery.close();
  });

  test("a resume point older than the replay limit gets a `gap` event, then live events", async () => {
    const workspaceId = await team();
    for (let i = 0; i < REPLAY_LIMIT; i++) await churn(workspaceId);
    const stream = await openEventStream(eventsUrl(workspaceId, "?since=0"), { authorization: `Bearer ${member.token}` });
    expect(JSON.parse((await stream.next("gap")).data)).toEqual({ type: "subscribed", workspaceId, gap: true });
    await churn(workspaceId);
    await stream.next();
    await stream.next();
    const live = 1 + 2 * REPLAY_LIMIT;
    expect(stream.events.filter((e) => e.event === "message").map((e) => e.id)).toEqual([String(live + 1), String(live + 2)]);
    stream.close();
  });

  test("sends a heartbeat comment on an idle stream", async () => {
    const workspaceId = await team();
    const stream = await follow(member.token, workspaceId);
    expect(await stream.comment(HEARTBEAT_MS * 4)).toBe("ping");
    stream.close();
  });

  test("a member removed from the workspace gets `unsubscribed` and the stream ends", async () => {
    const workspaceId = await team();
    const stream = await follow(member.token, workspaceId);
    await ws.removeMember(owner.token, workspaceId, member.id);
    expect(JSON.parse((await stream.next("unsubscribed")).data)).toEqual({
      type: "unsubscribed",
      workspaceId,
      reason: "removed",
    });
    expect(await stream.ended).toBe("closed");
    expect(stream.events.filter((e) => e.event === "message")).toEqual([]);
    const again = await openEventStream(eventsUrl(workspaceId), { authorization: `Bearer ${member.token}` });
    expect(again.response.status).toBe(404);
  });

  test("limits a user's concurrent streams with a 429, and a closed stream frees its slot", async () => {
    const workspaceId = await team();
    const streams: EventStreamProbe[] = [];
    for (let i = 0; i < MAX_STREAMS; i++) streams.push(await follow(member.token, workspaceId));
    const refused = await openEventStream(eventsUrl(workspaceId), { authorization: `Bearer ${member.token}` });
    expect((await problem(refused.response, 429)).code).toBe("ERR_RATE_LIMITED");
    expect(refused.response.headers.get("retry-after")).toBe("1");
    // Another user's streams are counted apart.
    const owners = await follow(owner.token, workspaceId);
    owners.close();

    streams[0]?.close();
    let reopened: EventStreamProbe | undefined;
    for (let attempt = 0; attempt < 50 && !reopened; attempt++) {
      const next = await openEventStream(eventsUrl(workspaceId), { authorization: `Bearer ${member.token}` });
      if (next.response.status === 200) reopened = next;
      else await Bun.sleep(20);
    }
    expect(reopened?.response.status).toBe(200);
    reopened?.close();
    streams[1]?.close();
  });
});

describe("server-sent events on shutdown", () => {
  test("SIGTERM ends every stream cleanly and the process exits 0", async () => {
    const own = await serveWebSocket({ sse: { heartbeatMs: HEARTBEAT_MS } });
    const user = await own.user("leaving@example.com");
    const workspaceId = await own.workspace(user.token);
    const stream = await openEventStream(`${own.served.url}/workspaces/${workspaceId}/events`, {
      authorization: `Bearer ${user.token}`,
    });
    await stream.next("subscribed");
    const exit = own.stop();
    expect(await stream.ended).toBe("closed");
    expect(await exit).toBe(0);
  }, 30_000);
});

const available = await chromiumAvailable("the EventSource browser test");

describe.skipIf(!available)("server-sent events in a browser", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 30_000);
  afterAll(() => browser?.close());

  test("an EventSource with the session cookie receives the workspace's events in order", async () => {
    const workspaceId = await team();
    const context = await browser.newContext();
    await context.addCookies([{ name: SESSION_COOKIE, value: member.token, url: ws.served.url }]);
    const page = await context.newPage();
    await page.goto(`${ws.served.url}/healthz`);
    await page.evaluate((path) => {
      const state = { subscribed: 0, ids: [] as string[], events: [] as string[] };
      Reflect.set(window, "sse", state);
      const source = new EventSource(path);
      source.addEventListener("subscribed", () => {
        state.subscribed += 1;
      });
      source.onmessage = (message) => {
        state.ids.push(message.lastEventId);
        state.events.push(JSON.parse(message.data).event);
      };
    }, `/workspaces/${workspaceId}/events`);
    await page.waitForFunction(() => Reflect.get(window, "sse").subscribed === 1);
    await churn(workspaceId);
    await page.waitForFunction(() => Reflect.get(window, "sse").ids.length === 2);
    expect(await page.evaluate(() => Reflect.get(window, "sse"))).toEqual({
      subscribed: 1,
      ids: ["2", "3"],
      events: ["member.added", "member.removed"],
    });
    await context.close();
  }, 30_000);
});
