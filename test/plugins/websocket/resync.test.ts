import { describe, expect, test } from "bun:test";
import type { IdentityChanges } from "../../../core/identity/identity-changes";
import type { Role } from "../../../core/identity/types";
import { createLogger } from "../../../core/log/json-logger";
import { Connection, type ConnectionOwner, type Identity } from "../../../plugins/websocket/connection";
import { Hub } from "../../../plugins/websocket/hub";
import { CLOSE } from "../../../plugins/websocket/protocol";
import { resyncOnReconnect } from "../../../plugins/websocket/resync";
import { Revocations } from "../../../plugins/websocket/revocation";
import { FakeServer, FakeSocket, ManualBus } from "./support/fakes";

/** What the database says now: who is a member of what, which sessions are live. */
interface Stored {
  roles: Map<string, Role>;
  live: Set<string>;
  failing?: boolean;
}

const setup = () => {
  const stored: Stored = { roles: new Map(), live: new Set() };
  const events = new ManualBus();
  const server = new FakeServer();
  const lines: string[] = [];
  const log = createLogger({ write: (line) => lines.push(line) });
  const hub = new Hub({
    events,
    roleOf: async (workspaceId, userId) => stored.roles.get(`${workspaceId}/${userId}`) ?? null,
    replayLimit: () => 100,
    log,
    sent: () => {},
  });
  hub.server = server;
  const revocations = new Revocations({ hub, rememberMs: 30_000 });
  const missed = new Set<() => void>();
  const identityChanges: IdentityChanges = {
    listen: () => () => {},
    onMissed(listener) {
      missed.add(listener);
      return () => missed.delete(listener);
    },
    liveSessions: async (ids) => {
      if (stored.failing) throw new Error("database away");
      return new Set(ids.filter((id) => stored.live.has(id)));
    },
  };
  const stop = resyncOnReconnect({ events, identityChanges, hub, revocations, log });
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
  const identityBack = () => {
    for (const listener of missed) listener();
  };
  return { stored, events, hub, open, identityBack, stop, lines };
};

/** Lets the re-check's database round trips settle. */
const settled = () => Bun.sleep(5);

describe("re-checking open connections when Redis is back", () => {
  test("closes with 4401 a socket whose session was revoked while the identity subscriber was away", async () => {
    const { stored, hub, open, identityBack } = setup();
    stored.roles.set("w/alice", "member");
    stored.live.add("kept");
    const revoked = open({ userId: "alice", sessionId: "gone" });
    const kept = open({ userId: "alice", sessionId: "kept" });
    await hub.subscribe(revoked.connection, "w", undefined);
    await hub.subscribe(kept.connection, "w", undefined);
    identityBack();
    await settled();
    expect(revoked.closedWith).toEqual({ code: CLOSE.UNAUTHENTICATED, reason: "session revoked" });
    expect(revoked.messages.filter((m) => m.type === "error").map((m) => m.code)).toEqual(["session_revoked"]);
    expect(kept.closedWith).toBeUndefined();
  });

  test("refuses further events to a member removed while the event stream was away", async () => {
    const { stored, events, hub, open } = setup();
    stored.roles.set("w/alice", "member").set("w/bob", "member");
    stored.live.add("a").add("b");
    const alice = open({ userId: "alice", sessionId: "a" });
    const bob = open({ userId: "bob", sessionId: "b" });
    await hub.subscribe(alice.connection, "w", undefined);
    await hub.subscribe(bob.connection, "w", undefined);
    // The removal is stored; its member.removed event was lost with Redis.
    stored.roles.delete("w/alice");
    events.resync();
    await settled();
    await events.publish("w", "job.created", {});
    events.flush();
    expect(alice.messages.at(-1)).toEqual({ type: "unsubscribed", workspaceId: "w", reason: "removed" });
    expect(alice.eventIds).toEqual([]);
    expect(bob.eventIds).toEqual(["1"]);
    expect(alice.closedWith).toBeUndefined();
  });

  test("tells subscribers of a workspace whose missed events are lost that there is a gap, and only them", async () => {
    const { stored, hub, events, open } = setup();
    stored.roles.set("lost/alice", "member").set("kept/alice", "member");
    stored.live.add("a");
    const alice = open({ userId: "alice", sessionId: "a" });
    await hub.subscribe(alice.connection, "lost", undefined);
    await hub.subscribe(alice.connection, "kept", undefined);
    events.resync(["lost"]);
    await settled();
    expect(alice.messages.filter((m) => m.type === "subscribed")).toEqual([
      { type: "subscribed", workspaceId: "lost" },
      { type: "subscribed", workspaceId: "kept" },
      { type: "subscribed", workspaceId: "lost", gap: true },
    ]);
  });

  test("a database that fails the re-check is logged and leaves connections open", async () => {
    const { stored, hub, open, identityBack, lines } = setup();
    stored.roles.set("w/alice", "member");
    stored.failing = true;
    const alice = open({ userId: "alice", sessionId: "a" });
    await hub.subscribe(alice.connection, "w", undefined);
    identityBack();
    await settled();
    expect(alice.closedWith).toBeUndefined();
    expect(lines.some((line) => line.includes("re-checking open connections after Redis came back failed"))).toBe(true);
    expect(lines.join("\n")).toContain("database away");
  });

  test("stops listening once stopped", async () => {
    const { stored, hub, open, identityBack, stop } = setup();
    stored.roles.set("w/alice", "member");
    const alice = open({ userId: "alice", sessionId: "gone" });
    await hub.subscribe(alice.connection, "w", undefined);
    stop();
    identityBack();
    await settled();
    expect(alice.closedWith).toBeUndefined();
  });
});
