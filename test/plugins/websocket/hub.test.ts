import { describe, expect, test } from "bun:test";
import type { EventBus } from "../../../core/events/event-bus";
import { MemoryEventBus } from "../../../core/events/memory-event-bus";
import type { Role } from "../../../core/identity/types";
import { createLogger } from "../../../core/log/json-logger";
import { Hub } from "../../../plugins/websocket/hub";
import { FakeServer, type FakeSocket, hubOwner, ManualBus, openConnection } from "./support/fakes";

interface Setup {
  events?: EventBus;
  roles?: Record<string, Role>;
  roleOf?: (workspaceId: string, userId: string) => Promise<Role | null>;
  replayLimit?: number;
  maxBufferedBytes?: number;
}

/** A hub on fake sockets; `roles` maps "workspace/user" to a role. */
const setup = ({ events = new MemoryEventBus(), roles = {}, roleOf, replayLimit = 100, maxBufferedBytes }: Setup = {}) => {
  const server = new FakeServer();
  const hub = new Hub({
    events,
    roleOf: roleOf ?? (async (workspaceId, userId) => roles[`${workspaceId}/${userId}`] ?? null),
    replayLimit: () => replayLimit,
    log: createLogger({ write: () => {} }),
    sent: () => {},
  });
  hub.server = server;
  const owner = hubOwner(() => hub, maxBufferedBytes);
  const open = (userId: string): FakeSocket => openConnection(server, owner, userId);
  return { server, hub, events, open };
};

const subscribe = (hub: Hub, socket: FakeSocket, workspaceId: string, since?: string) =>
  hub.subscribe(socket.connection, workspaceId, since);

const deferred = <T>() => {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
};

describe("websocket hub", () => {
  test("delivers each workspace's events only to its subscribers, publishing each event once", async () => {
    const { hub, events, open, server } = setup({ roles: { "w1/alice": "member", "w2/bob": "viewer" } });
    const alice = open("alice");
    const bob = open("bob");
    await subscribe(hub, alice, "w1");
    await subscribe(hub, bob, "w2");
    await events.publish("w1", "job.created", { n: 1 });
    await events.publish("w2", "job.created", { n: 2 });
    expect(alice.messages.filter((m) => m.type === "event")).toEqual([
      expect.objectContaining({ workspaceId: "w1", id: "1", event: "job.created", data: { n: 1 } }),
    ]);
    expect(bob.messages.filter((m) => m.type === "event")).toEqual([
      expect.objectContaining({ workspaceId: "w2", id: "1", data: { n: 2 } }),
    ]);
    expect(server.publishes).toBe(2);
  });

  test("replays the events after since in order, then live ones, each once", async () => {
    const { hub, events, open } = setup({ roles: { "w/alice": "member" } });
    for (let i = 1; i <= 3; i++) await events.publish("w", "tick", { i });
    const alice = open("alice");
    await subscribe(hub, alice, "w", "1");
    await events.publish("w", "tick", { i: 4 });
    expect(alice.messages[0]).toEqual({ type: "subscribed", workspaceId: "w" });
    expect(alice.eventIds).toEqual(["2", "3", "4"]);
  });

  test("events published during the membership check arrive once, after the replayed ones", async () => {
    const role = deferred<Role | null>();
    const { hub, events, open } = setup({ roleOf: () => role.promise });
    await events.publish("w", "tick", {});
    const alice = open("alice");
    const subscribing = subscribe(hub, alice, "w", "0");
    await events.publish("w", "tick", {});
    await events.publish("w", "tick", {});
    role.resolve("viewer");
    await subscribing;
    await events.publish("w", "tick", {});
    expect(alice.eventIds).toEqual(["1", "2", "3", "4"]);
  });

  test("a replay that ran ahead of the live stream joins the topic only when the stream catches up", async () => {
    const bus = new ManualBus();
    const { hub, open } = setup({ events: bus, roles: { "w/alice": "member" } });
    await bus.publish("w", "tick", {});
    await bus.publish("w", "tick", {});
    const alice = open("alice");
    // Both events are in the history but not yet delivered live, as with Redis under load.
    await subscribe(hub, alice, "w", "0");
    expect(alice.eventIds).toEqual(["1", "2"]);
    await bus.publish("w", "tick", {});
    bus.flush();
    expect(alice.eventIds).toEqual(["1", "2", "3"]);
    expect(alice.topics.size).toBe(1);
    await bus.publish("w", "tick", {});
    bus.flush();
    expect(alice.eventIds).toEqual(["1", "2", "3", "4"]);
  });

  test("missing more events than the replay limit is reported as a gap, and live events follow", async () => {
    const { hub, events, open } = setup({ roles: { "w/alice": "member" }, replayLimit: 2 });
    for (let i = 0; i < 5; i++) await events.publish("w", "tick", {});
    const alice = open("alice");
    await subscribe(hub, alice, "w", "0");
    await events.publish("w", "tick", {});
    expect(alice.messages[0]).toEqual({ type: "subscribed", workspaceId: "w", gap: true });
    expect(alice.eventIds).toEqual(["6"]);
  });

  test("a since older than the bounded history is reported as a gap", async () => {
    const { hub, events, open } = setup({ events: new MemoryEventBus({ historySize: 2 }), roles: { "w/alice": "member" } });
    for (let i = 0; i < 5; i++) await events.publish("w", "tick", {});
    const alice = open("alice");
    await subscribe(hub, alice, "w", "1");
    expect(alice.messages[0]).toEqual({ type: "subscribed", workspaceId: "w", gap: true });
    expect(alice.eventIds).toEqual([]);
  });

  test("a non-member and an unknown workspace get the same forbidden error, and nothing is delivered", async () => {
    const { hub, events, open } = setup({ roles: { "w/alice": "owner" } });
    const mallory = open("mallory");
    await subscribe(hub, mallory, "w");
    await subscribe(hub, mallory, "no-such-workspace");
    await events.publish("w", "secret", {});
    const errors = mallory.messages.filter((m) => m.type === "error");
    expect(errors).toEqual([
      { type: "error", code: "forbidden", message: "Not a member of this workspace", workspaceId: "w" },
      { type: "error", code: "forbidden", message: "Not a member of this workspace", workspaceId: "no-such-workspace" },
    ]);
    expect(mallory.eventIds).toEqual([]);
    expect(hub.subscriptions).toBe(0);
  });

  test("member.removed unsubscribes that user's sockets at once, and only theirs", async () => {
    const { hub, events, open } = setup({ roles: { "w/alice": "owner", "w/bob": "member" } });
    const alice = open("alice");
    const bob = open("bob");
    const bobElsewhere = open("bob");
    for (const socket of [alice, bob, bobElsewhere]) await subscribe(hub, socket, "w");
    await events.publish("w", "member.removed", { userId: "bob" });
    await events.publish("w", "tick", {});
    for (const socket of [bob, bobElsewhere]) {
      expect(socket.messages.at(-1)).toEqual({ type: "unsubscribed", workspaceId: "w", reason: "removed" });
      expect(socket.eventIds).toEqual([]);
      expect(socket.topics.size).toBe(0);
    }
    expect(alice.eventIds).toEqual(["1", "2"]);
  });

  test("a removal during the membership check cancels the subscription", async () => {
    const role = deferred<Role | null>();
    const { hub, events, open } = setup({ roleOf: () => role.promise });
    const bob = open("bob");
    const subscribing = subscribe(hub, bob, "w");
    await events.publish("w", "member.removed", { userId: "bob" });
    role.resolve("member");
    await subscribing;
    await events.publish("w", "tick", {});
    expect(bob.messages).toEqual([{ type: "unsubscribed", workspaceId: "w", reason: "removed" }]);
    expect(hub.subscriptions).toBe(0);
  });

  test("closes a consumer whose send buffer passed the bound with 1013 instead of buffering on", async () => {
    const { hub, events, open } = setup({ roles: { "w/slow": "member", "w/fast": "member" }, maxBufferedBytes: 1000 });
    const slow = open("slow");
    const fast = open("fast");
    await subscribe(hub, slow, "w");
    await subscribe(hub, fast, "w");
    slow.buffered = 1001;
    await events.publish("w", "tick", {});
    expect(slow.closedWith?.code).toBe(1013);
    await events.publish("w", "tick", {});
    expect(fast.eventIds).toEqual(["1", "2"]);
    expect(hub.subscriptions).toBe(1);
  });

  test("unsubscribe is acknowledged and stops delivery; a second one is not_subscribed", async () => {
    const { hub, events, open } = setup({ roles: { "w/alice": "member" } });
    const alice = open("alice");
    await subscribe(hub, alice, "w");
    hub.unsubscribe(alice.connection, "w");
    hub.unsubscribe(alice.connection, "w");
    await events.publish("w", "tick", {});
    expect(alice.messages.slice(1)).toEqual([
      { type: "unsubscribed", workspaceId: "w" },
      { type: "error", code: "not_subscribed", message: "Not subscribed to this workspace", workspaceId: "w" },
    ]);
  });

  test("subscribing twice to one workspace is refused", async () => {
    const { hub, open } = setup({ roles: { "w/alice": "member" } });
    const alice = open("alice");
    await subscribe(hub, alice, "w");
    await subscribe(hub, alice, "w");
    expect(alice.messages.at(-1)).toMatchObject({ type: "error", code: "already_subscribed", workspaceId: "w" });
  });

  test("the last socket out of a workspace stops its event-bus listener", async () => {
    const bus = new ManualBus();
    const { hub, open } = setup({ events: bus, roles: { "w/alice": "member", "w/bob": "member" } });
    const alice = open("alice");
    const bob = open("bob");
    await subscribe(hub, alice, "w");
    await subscribe(hub, bob, "w");
    expect(bus.listening("w")).toBe(1);
    alice.close(1000, "bye");
    expect(bus.listening("w")).toBe(1);
    bob.close(1000, "bye");
    expect(bus.listening("w")).toBe(0);
    expect(hub.subscriptions).toBe(0);
  });
});
