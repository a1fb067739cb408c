import { describe, expect, test } from "bun:test";
import { isTesseraError } from "../../../../core/errors/tessera-error";
import { MemoryEventBus } from "../../../../core/events/memory-event-bus";
import type { Role } from "../../../../core/identity/types";
import { MemorySlots } from "../../../../core/limits/slots";
import { createLogger } from "../../../../core/log/json-logger";
import { Registry } from "../../../../core/metrics/registry";
import type { Identity } from "../../../../plugins/websocket/connection";
import { Hub } from "../../../../plugins/websocket/hub";
import { Revocations } from "../../../../plugins/websocket/revocation";
import { EventStreams } from "../../../../plugins/websocket/sse/streams";
import { StreamTopics } from "../../../../plugins/websocket/sse/topics";
import { sseParser } from "../support/event-stream";

interface Setup {
  roleOf?: (workspaceId: string, userId: string) => Promise<Role | null>;
  maxBufferedBytes?: number;
  maxStreamsPerUser?: number;
  heartbeatMs?: number;
}

/** Streams on a real hub and in-memory bus; "alice" is a member of w1. */
const setup = ({ roleOf, maxBufferedBytes = 1_000_000, maxStreamsPerUser = 4, heartbeatMs = 60_000 }: Setup = {}) => {
  const events = new MemoryEventBus();
  const topics = new StreamTopics();
  const hub = new Hub({
    events,
    roleOf: roleOf ?? (async (workspaceId, userId) => (workspaceId === "w1" && userId === "alice" ? "member" : null)),
    replayLimit: () => 100,
    log: createLogger({ write: () => {} }),
    sent: () => {},
    streams: topics,
  });
  const metrics = new Registry();
  const revocations = new Revocations({ hub, rememberMs: 30_000 });
  const streams = new EventStreams({
    hub,
    topics,
    revocations,
    slots: new MemorySlots(),
    metrics,
    heartbeatMs,
    settings: () => ({ retryMs: 1000, maxStreamsPerUser }),
    maxBufferedBytes,
  });
  const connect = (userId = "alice", workspaceId = "w1", expiresAt?: number) =>
    streams.connect({ userId, expiresAt }, workspaceId, undefined);
  const connectAs = (identity: Identity, workspaceId = "w1") => streams.connect(identity, workspaceId, undefined);
  return { events, hub, metrics, streams, revocations, connect, connectAs };
};

const refusal = async (pending: Promise<unknown>) => {
  try {
    await pending;
  } catch (error) {
    if (isTesseraError(error)) return { status: error.status, code: error.code };
    throw error;
  }
  throw new Error("expected a refusal");
};

/** Reads the whole body: its text, and whether it ended cleanly. */
const drain = async (response: Response) => {
  const parser = sseParser();
  if (!response.body) throw new Error("the response has no body");
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) parser.feed(chunk.value);
    return { ...parser.out, ended: "closed" };
  } catch {
    return { ...parser.out, ended: "errored" };
  }
};

describe("event streams", () => {
  test("a reader that falls behind by more than maxBufferedBytes is dropped, its backlog discarded and its slot freed", async () => {
    const { events, hub, metrics, connect } = setup({ maxBufferedBytes: 2000, maxStreamsPerUser: 1 });
    const response = await connect();
    const padding = "x".repeat(800);
    for (let i = 0; i < 4; i++) await events.publish("w1", "job.progress", { padding });
    expect(hub.subscriptions).toBe(0);
    expect((await drain(response)).ended).toBe("errored");
    expect(metrics.render()).toContain("tessera_sse_slow_readers_total 1");
    // The slot came back: the user's one stream may be opened again.
    expect((await connect()).status).toBe(200);
  });

  test("a replay larger than maxBufferedBytes still goes out whole; the bound holds for what follows", async () => {
    const { events, streams } = setup({ maxBufferedBytes: 2000 });
    const padding = "x".repeat(800);
    for (let i = 0; i < 5; i++) await events.publish("w1", "job.progress", { padding });
    const response = await streams.connect({ userId: "alice", expiresAt: undefined }, "w1", "0");
    const reading = drain(response);
    await Bun.sleep(10);
    await events.publish("w1", "job.progress", { padding });
    await Bun.sleep(10);
    streams.stop();
    const out = await reading;
    expect(out.ended).toBe("closed");
    expect(out.events.filter((event) => event.event === "message").map((event) => event.id)).toEqual([
      "1",
      "2",
      "3",
      "4",
      "5",
      "6",
    ]);

    // A reader that never takes the replay is dropped once live events pile up past the bound on top of it.
    const unread = setup({ maxBufferedBytes: 2000 });
    for (let i = 0; i < 5; i++) await unread.events.publish("w1", "job.progress", { padding });
    const stalled = await unread.streams.connect({ userId: "alice", expiresAt: undefined }, "w1", "0");
    await unread.events.publish("w1", "job.progress", { padding });
    expect(unread.hub.subscriptions).toBe(1);
    for (let i = 0; i < 2; i++) await unread.events.publish("w1", "job.progress", { padding });
    expect(unread.hub.subscriptions).toBe(0);
    expect((await drain(stalled)).ended).toBe("errored");
  });

  test("a non-member and a failing membership check are refused before any stream, without keeping a slot", async () => {
    const { connect } = setup({ maxStreamsPerUser: 1 });
    expect(await refusal(connect("bob"))).toEqual({ status: 404, code: "ERR_NOT_FOUND" });
    expect(await refusal(connect("bob"))).toEqual({ status: 404, code: "ERR_NOT_FOUND" });
    const failing = setup({ roleOf: () => Promise.reject(new Error("database down")), maxStreamsPerUser: 1 });
    expect(await refusal(failing.connect())).toEqual({ status: 500, code: "ERR_INTERNAL" });
    expect(await refusal(failing.connect())).toEqual({ status: 500, code: "ERR_INTERNAL" });
  });

  test("past maxStreamsPerUser the next stream gets a 429 with Retry-After", async () => {
    const { connect } = setup({ maxStreamsPerUser: 1 });
    await connect();
    const refused = await connect().catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 429, code: "ERR_RATE_LIMITED", headers: { "Retry-After": "1" } });
  });

  test("a client that goes away leaves the workspace and gives its slot back", async () => {
    const { hub, metrics, connect } = setup({ maxStreamsPerUser: 1 });
    const response = await connect();
    expect(hub.subscriptions).toBe(1);
    await response.body?.cancel();
    expect(hub.subscriptions).toBe(0);
    expect(metrics.render()).toContain("tessera_sse_streams 0");
    expect((await connect()).status).toBe(200);
  });

  test("the stream ends with an `error` event when the credential expires", async () => {
    const { connect } = setup();
    const out = await drain(await connect("alice", "w1", Date.now() + 30));
    expect(out.ended).toBe("closed");
    expect(out.events.map((event) => event.event)).toEqual(["subscribed", "error"]);
    expect(JSON.parse(out.events[1]?.data ?? "")).toMatchObject({ type: "error", code: "token_expired" });
  });

  test("idle streams get a ping comment every heartbeat", async () => {
    const { streams, connect } = setup({ heartbeatMs: 20 });
    const response = await connect();
    await Bun.sleep(70);
    streams.stop();
    const out = await drain(response);
    expect(out.comments.length).toBeGreaterThanOrEqual(2);
    expect(new Set(out.comments)).toEqual(new Set(["ping"]));
  });

  test("stop ends every stream cleanly and refuses new ones with 503", async () => {
    const { events, hub, streams, connect } = setup();
    const response = await connect();
    await events.publish("w1", "job.created", {});
    streams.stop();
    const out = await drain(response);
    expect(out.ended).toBe("closed");
    expect(out.events.map((event) => [event.event, event.id])).toEqual([
      ["subscribed", undefined],
      ["message", "1"],
    ]);
    expect(hub.subscriptions).toBe(0);
    expect(await refusal(connect())).toEqual({ status: 503, code: "ERR_UNAVAILABLE" });
  });

  test("refuses events to a stream whose session was revoked: `event: error` (session_revoked), then the end", async () => {
    const { events, hub, revocations, connectAs, metrics } = setup();
    const response = await connectAs({ userId: "alice", expiresAt: undefined, sessionId: "s1" });
    revocations.apply({ sessionIds: ["s1"] });
    await events.publish("w1", "job.created", {});
    const out = await drain(response);
    expect(out.ended).toBe("closed");
    expect(out.events.map((event) => event.event)).toEqual(["subscribed", "error"]);
    expect(JSON.parse(out.events[1]?.data ?? "")).toMatchObject({ type: "error", code: "session_revoked" });
    expect(hub.subscriptions).toBe(0);
    expect(metrics.render()).toContain("tessera_sse_streams 0");
  });

  test("refuses a stream to a suspended peer's guest: `event: error` (access_withdrawn), then the end", async () => {
    const { revocations, connectAs } = setup({ roleOf: async () => "viewer" });
    const response = await connectAs({ userId: "g1", expiresAt: undefined, sessionId: "gs1", guestOf: "peer-a" });
    revocations.apply({ peerIds: ["peer-a"] });
    const out = await drain(response);
    expect(out.events.map((event) => event.event)).toEqual(["subscribed", "error"]);
    expect(JSON.parse(out.events[1]?.data ?? "")).toMatchObject({ code: "access_withdrawn" });
  });

  test("an unshared workspace ends its guests' streams with `event: unsubscribed`, as a member's removal does", async () => {
    const { revocations, connectAs } = setup({ roleOf: async () => "viewer" });
    const response = await connectAs({ userId: "g1", expiresAt: undefined, sessionId: "gs1", guestOf: "peer-a" });
    revocations.apply({ unshared: [{ workspaceId: "w1", peerId: "peer-a" }] });
    const out = await drain(response);
    expect(out.ended).toBe("closed");
    expect(out.events.map((event) => event.event)).toEqual(["subscribed", "unsubscribed"]);
  });

  test("refuses with 401, keeping no slot, a stream for a session revoked moments ago (a request in flight at sign-out)", async () => {
    const { revocations, connectAs } = setup({ maxStreamsPerUser: 1 });
    revocations.apply({ sessionIds: ["s1"] });
    expect(await refusal(connectAs({ userId: "alice", expiresAt: undefined, sessionId: "s1" }))).toEqual({
      status: 401,
      code: "ERR_UNAUTHENTICATED",
    });
    expect((await connectAs({ userId: "alice", expiresAt: undefined, sessionId: "s2" })).status).toBe(200);
  });
});
