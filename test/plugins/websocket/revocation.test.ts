import { describe, expect, test } from "bun:test";
import { MemoryEventBus } from "../../../core/events/memory-event-bus";
import { createLogger } from "../../../core/log/json-logger";
import { Connection, type ConnectionOwner, type Identity } from "../../../plugins/websocket/connection";
import { Hub } from "../../../plugins/websocket/hub";
import { CLOSE } from "../../../plugins/websocket/protocol";
import { Revocations } from "../../../plugins/websocket/revocation";
import { FakeServer, FakeSocket } from "./support/fakes";

/** A hub on fake sockets with the revocation index wired as the gateway wires it; "w" has every user as a member. */
const setup = (rememberMs = 30_000) => {
  let now = 1_000_000;
  const events = new MemoryEventBus();
  const server = new FakeServer();
  const hub = new Hub({
    events,
    roleOf: async () => "member",
    replayLimit: () => 100,
    log: createLogger({ write: () => {} }),
    sent: () => {},
  });
  hub.server = server;
  const revocations = new Revocations({ hub, rememberMs, now: () => now });
  const owner: ConnectionOwner = {
    maxBufferedBytes: 1_000_000,
    opened: (connection) => revocations.track(connection),
    received: () => {},
    closed: (connection) => {
      revocations.untrack(connection);
      hub.drop(connection);
    },
    sent: () => {},
  };
  const open = (identity: Partial<Identity> & { userId: string }): FakeSocket => {
    const connection = new Connection(owner, { expiresAt: undefined, ...identity });
    const socket = new FakeSocket(server, connection);
    connection.open(socket);
    return socket;
  };
  const later = (ms: number) => {
    now += ms;
  };
  return { events, hub, revocations, open, later };
};

const errors = (socket: FakeSocket) => socket.messages.filter((m) => m.type === "error").map((m) => m.code);

describe("revocation of live connections", () => {
  test("refuses workspace events to a socket whose session was revoked: it closes with 4401 and session_revoked", async () => {
    const { events, hub, revocations, open } = setup();
    const signedOut = open({ userId: "alice", sessionId: "s1" });
    const otherDevice = open({ userId: "alice", sessionId: "s2" });
    await hub.subscribe(signedOut.connection, "w", undefined);
    await hub.subscribe(otherDevice.connection, "w", undefined);
    revocations.apply({ sessionIds: ["s1"] });
    await events.publish("w", "job.created", {});
    expect(signedOut.closedWith).toEqual({ code: CLOSE.UNAUTHENTICATED, reason: "session revoked" });
    expect(errors(signedOut)).toEqual(["session_revoked"]);
    expect(signedOut.eventIds).toEqual([]);
    expect(otherDevice.closedWith).toBeUndefined();
    expect(otherDevice.eventIds).toEqual(["1"]);
    expect(hub.subscriptions).toBe(1);
  });

  test("a user's change (a new name) does not end their connections", () => {
    const { revocations, open } = setup();
    const socket = open({ userId: "alice", sessionId: "s1" });
    revocations.apply({ userIds: ["alice"] });
    expect(socket.closedWith).toBeUndefined();
  });

  test("refuses a suspended peer's guests: every one of its guests' connections closes with 4403, other users stay", () => {
    const { revocations, open } = setup();
    const guest = open({ userId: "g1", sessionId: "gs1", guestOf: "peer-a" });
    const otherPeersGuest = open({ userId: "g2", sessionId: "gs2", guestOf: "peer-b" });
    const member = open({ userId: "alice", sessionId: "s1" });
    revocations.apply({ peerIds: ["peer-a"] });
    expect(guest.closedWith).toEqual({ code: CLOSE.FORBIDDEN, reason: "access withdrawn" });
    expect(errors(guest)).toEqual(["access_withdrawn"]);
    expect(otherPeersGuest.closedWith).toBeUndefined();
    expect(member.closedWith).toBeUndefined();
  });

  test("refuses an unshared workspace's events to the peer's guests: they get `unsubscribed` (removed), members keep it", async () => {
    const { events, hub, revocations, open } = setup();
    const guest = open({ userId: "g1", sessionId: "gs1", guestOf: "peer-a" });
    const member = open({ userId: "alice", sessionId: "s1" });
    await hub.subscribe(guest.connection, "w", undefined);
    await hub.subscribe(guest.connection, "other", undefined);
    await hub.subscribe(member.connection, "w", undefined);
    revocations.apply({ unshared: [{ workspaceId: "w", peerId: "peer-a" }] });
    await events.publish("w", "job.created", {});
    await events.publish("other", "job.created", {});
    expect(guest.messages).toContainEqual({ type: "unsubscribed", workspaceId: "w", reason: "removed" });
    expect(guest.messages.filter((m) => m.type === "event").map((m) => m.workspaceId)).toEqual(["other"]);
    expect(guest.closedWith).toBeUndefined();
    expect(member.eventIds).toEqual(["1"]);
  });

  test("refuses a connection whose session was revoked just before it was tracked (a ticket issued before sign-out)", () => {
    const { revocations, open, later } = setup(30_000);
    revocations.apply({ sessionIds: ["s1"] });
    expect(revocations.isRevoked("s1")).toBe(true);
    const late = open({ userId: "alice", sessionId: "s1" });
    expect(late.closedWith?.code).toBe(CLOSE.UNAUTHENTICATED);
    later(30_000);
    expect(revocations.isRevoked("s1")).toBe(false);
  });

  test("forgets revoked sessions after rememberMs, oldest first, and indexes no closed connection", () => {
    const { revocations, open, later } = setup(1000);
    revocations.apply({ sessionIds: ["old"] });
    later(1000);
    revocations.apply({ sessionIds: ["new"] });
    expect(revocations.isRevoked("old")).toBe(false);
    expect(revocations.isRevoked("new")).toBe(true);
    const sockets = [open({ userId: "a", sessionId: "s1" }), open({ userId: "b", sessionId: "s2", guestOf: "p" })];
    expect(revocations.tracked).toBe(2);
    for (const socket of sockets) socket.connection.end(1000, "bye");
    expect(revocations.tracked).toBe(0);
  });
});
