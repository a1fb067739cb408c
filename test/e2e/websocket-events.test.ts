import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { EventMessage } from "../../plugins/websocket/protocol";
import { serveWebSocket, type WsInstance } from "../plugins/websocket/support/served";

const REPLAY_LIMIT = 4;

let ws: WsInstance;
let owner: { id: string; token: string };
let member: { id: string; token: string };
let viewer: { id: string; token: string };
let outsider: { id: string; token: string };
beforeAll(async () => {
  ws = await serveWebSocket({ replayLimit: REPLAY_LIMIT });
  [owner, member, viewer, outsider] = await Promise.all([
    ws.user("owner@example.com"),
    ws.user("member@example.com"),
    ws.user("viewer@example.com"),
    ws.user("outsider@example.com"),
  ]);
}, 30_000);
afterAll(() => ws.stop());

/** A workspace with `member` and `viewer` in it; each addition is an event. */
const team = async () => {
  const workspaceId = await ws.workspace(owner.token);
  await ws.addMember(owner.token, workspaceId, "member@example.com", "member");
  await ws.addMember(owner.token, workspaceId, "viewer@example.com", "viewer");
  return workspaceId;
};

/** Two more events in one of the owner's workspaces: the outsider joins and leaves. */
const churn = async (workspaceId: string) => {
  await ws.addMember(owner.token, workspaceId, "outsider@example.com", "viewer");
  await ws.removeMember(owner.token, workspaceId, outsider.id);
};

const subscribe = async (token: string, workspaceId: string, since?: string) => {
  const socket = await ws.connect(token);
  socket.send(since === undefined ? { type: "subscribe", workspaceId } : { type: "subscribe", workspaceId, since });
  return { socket, subscribed: await socket.next("subscribed") };
};

const events = (messages: { type: string }[]) => messages.filter((m): m is EventMessage => m.type === "event");

describe("websocket subscriptions and events", () => {
  test("members and viewers receive their workspace's events as {type:event, workspaceId, id, event, data, ts}", async () => {
    const workspaceId = await team();
    const { socket: asMember } = await subscribe(member.token, workspaceId);
    const { socket: asViewer } = await subscribe(viewer.token, workspaceId);
    await ws.addMember(owner.token, workspaceId, "outsider@example.com", "viewer");
    for (const socket of [asMember, asViewer]) {
      const event = await socket.next("event");
      expect(event).toEqual({
        type: "event",
        workspaceId,
        id: "3",
        event: "member.added",
        data: { userId: outsider.id, role: "viewer" },
        ts: expect.any(Number),
      });
      socket.close();
    }
  });

  test("a workspace the user is not in, and one that does not exist, are both forbidden; the socket stays open", async () => {
    const workspaceId = await team();
    const socket = await ws.connect(outsider.token);
    socket.send({ type: "subscribe", workspaceId });
    socket.send({ type: "subscribe", workspaceId: "00000000-0000-0000-0000-000000000000" });
    const first = await socket.next("error");
    const second = await socket.next("error");
    expect([first, second].map((e) => [e.code, e.workspaceId])).toEqual([
      ["forbidden", workspaceId],
      ["forbidden", "00000000-0000-0000-0000-000000000000"],
    ]);
    expect(first.message).toBe(second.message);
    socket.send({ type: "ping" });
    await socket.next("pong");
    socket.close();
  });

  test("events reach only the subscribers of their workspace", async () => {
    const mine = await team();
    const other = await ws.workspace(outsider.token, "elsewhere");
    const { socket: inMine } = await subscribe(member.token, mine);
    const { socket: inOther } = await subscribe(outsider.token, other);
    await ws.addMember(outsider.token, other, "viewer@example.com", "viewer");
    expect((await inOther.next("event")).workspaceId).toBe(other);
    expect(await inMine.quiet("event", 200)).toBe(true);
    inMine.close();
    inOther.close();
  });

  test("a member removed from a workspace stops receiving its events at once", async () => {
    const workspaceId = await team();
    const { socket: removed } = await subscribe(member.token, workspaceId);
    const { socket: staying } = await subscribe(viewer.token, workspaceId);
    await ws.removeMember(owner.token, workspaceId, member.id);
    expect(await removed.next("unsubscribed")).toEqual({ type: "unsubscribed", workspaceId, reason: "removed" });
    await ws.addMember(owner.token, workspaceId, "outsider@example.com", "viewer");
    expect((await staying.next("event")).event).toBe("member.removed");
    expect((await staying.next("event")).event).toBe("member.added");
    expect(events(removed.messages)).toEqual([]);
    removed.send({ type: "subscribe", workspaceId });
    expect(await removed.next("error")).toMatchObject({ code: "forbidden", workspaceId });
    removed.close();
    staying.close();
  });

  test("since replays missed events in order, then live ones follow with no duplicates", async () => {
    const workspaceId = await team();
    const { socket: first } = await subscribe(member.token, workspaceId);
    await churn(workspaceId);
    const seen = (await first.next("event")).id;
    first.close();
    await first.closed;

    await churn(workspaceId);
    const { socket: resumed, subscribed } = await subscribe(member.token, workspaceId, seen);
    expect(subscribed).toEqual({ type: "subscribed", workspaceId });
    await ws.addMember(owner.token, workspaceId, "outsider@example.com", "viewer");
    await resumed.next("event");
    await resumed.next("event");
    await resumed.next("event");
    await resumed.next("event");
    expect(events(resumed.messages).map((e) => Number(e.id))).toEqual([4, 5, 6, 7]);
    expect(events(resumed.messages).map((e) => e.event)).toEqual([
      "member.removed",
      "member.added",
      "member.removed",
      "member.added",
    ]);
    resumed.close();
  });

  test("a since further back than the replay limit gets subscribed with gap: true, then live events", async () => {
    const workspaceId = await team();
    for (let i = 0; i < REPLAY_LIMIT; i++) await churn(workspaceId);
    const { socket, subscribed } = await subscribe(member.token, workspaceId, "0");
    expect(subscribed).toEqual({ type: "subscribed", workspaceId, gap: true });
    await churn(workspaceId);
    await socket.next("event");
    await socket.next("event");
    const live = 2 + 2 * REPLAY_LIMIT;
    expect(events(socket.messages).map((e) => e.id)).toEqual([String(live + 1), String(live + 2)]);
    socket.close();
  });

  test("unsubscribe is acknowledged and stops delivery", async () => {
    const workspaceId = await team();
    const { socket } = await subscribe(member.token, workspaceId);
    socket.send({ type: "unsubscribe", workspaceId });
    expect(await socket.next("unsubscribed")).toEqual({ type: "unsubscribed", workspaceId });
    await churn(workspaceId);
    expect(await socket.quiet("event", 200)).toBe(true);
    socket.close();
  });
});
