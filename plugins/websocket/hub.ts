// Workspace rooms: one event-bus listener per workspace with local subscribers, each event serialized
// once and fanned out by Bun's native pub/sub. A subscriber joins the topic only after its membership
// check and replay, with live events buffered meanwhile, so it sees every event once, in order.
import type { EventBus, Logger, ReplayResult, WorkspaceEvent } from "tessera/plugin";
import type { Role } from "tessera/plugin/identity";
import type { Connection } from "./connection";

/** The part of Bun's Server the hub uses. */
export interface Publisher {
  publish(topic: string, data: string): number;
}

export interface HubOptions {
  events: EventBus;
  roleOf(workspaceId: string, userId: string): Promise<Role | null>;
  /** Read at each subscribe: a reload applies to the next. */
  replayLimit: () => number;
  log: Logger;
  /** Counts frames handed to Bun's publish (once per subscriber). */
  sent(count: number): void;
  /** Topic members outside Bun's pub/sub (event streams); they get every publish too. */
  streams?: Publisher;
}

interface Buffered {
  id: number;
  text: string;
}

/** A subscriber not on the topic yet: collecting live events while it is checked and replayed, then catching up. */
interface Pending {
  buffer: Buffered[] | undefined;
  /** The replay limit when it subscribed: the most events replayed or buffered for it. */
  limit: number;
  /** Live events beyond replayLimit arrived while it was checked: report a gap rather than a hole. */
  overflowed: boolean;
  /** The last event id it was sent; it joins the topic once the live stream has reached it. */
  after: number;
}

interface Room {
  workspaceId: string;
  topic: string;
  members: Set<Connection>;
  pending: Map<Connection, Pending>;
  /** The highest id seen live, to tell when a replayed subscriber has caught up. */
  lastId: number;
  stop: () => void;
}

export const eventText = (event: WorkspaceEvent): string =>
  JSON.stringify({
    type: "event",
    workspaceId: event.workspaceId,
    id: event.id,
    event: event.event,
    data: event.data,
    ts: event.ts,
  });

const removedUserId = (data: unknown): string | undefined =>
  typeof data === "object" && data !== null && "userId" in data && typeof data.userId === "string" ? data.userId : undefined;

export class Hub {
  /** Set at the first upgrade: Bun hands the server to request handlers only. */
  server: Publisher | undefined;
  private readonly rooms = new Map<string, Room>();

  constructor(private readonly options: HubOptions) {}

  get subscriptions(): number {
    let count = 0;
    for (const room of this.rooms.values()) count += room.members.size + room.pending.size;
    return count;
  }

  async subscribe(connection: Connection, workspaceId: string, since: string | undefined): Promise<void> {
    const userId = connection.userId;
    if (userId === undefined) return;
    if (connection.workspaces?.has(workspaceId)) {
      connection.error("already_subscribed", "Already subscribed to this workspace", { workspaceId });
      return;
    }
    // Listening before the membership check and the replay means nothing published meanwhile is missed.
    const room = this.room(workspaceId);
    const pending: Pending = { buffer: [], limit: this.options.replayLimit(), overflowed: false, after: 0 };
    room.pending.set(connection, pending);
    connection.workspaces ??= new Set();
    connection.workspaces.add(workspaceId);
    // Removal, unsubscribe or close while awaiting take the entry out and say so themselves.
    const cancelled = () => room.pending.get(connection) !== pending;
    let replayed: ReplayResult | undefined;
    try {
      const role = await this.options.roleOf(workspaceId, userId);
      if (cancelled()) return;
      if (!role) {
        this.leave(room, connection);
        this.dropIfEmpty(room);
        // The same answer for a workspace that does not exist, so ids can't be probed.
        connection.error("forbidden", "Not a member of this workspace", { workspaceId });
        return;
      }
      if (since !== undefined) replayed = await this.options.events.replay(workspaceId, since, pending.limit + 1);
      if (cancelled()) return;
    } catch (error) {
      this.options.log.error("subscribing a socket failed", { workspaceId, error });
      if (cancelled()) return;
      this.leave(room, connection);
      this.dropIfEmpty(room);
      connection.error("internal", "Subscribing failed on the server; try again", { workspaceId });
      return;
    }
    this.start(room, connection, pending, since, replayed);
  }

  unsubscribe(connection: Connection, workspaceId: string): void {
    const room = this.rooms.get(workspaceId);
    if (!room || !connection.workspaces?.has(workspaceId)) {
      connection.error("not_subscribed", "Not subscribed to this workspace", { workspaceId });
      return;
    }
    this.leave(room, connection);
    this.dropIfEmpty(room);
    connection.send(JSON.stringify({ type: "unsubscribed", workspaceId }));
  }

  /** A closed socket leaves every room (Bun has already dropped its topics). */
  drop(connection: Connection): void {
    const workspaces = connection.workspaces;
    if (!workspaces) return;
    for (const workspaceId of [...workspaces]) {
      const room = this.rooms.get(workspaceId);
      if (!room) continue;
      this.leave(room, connection);
      this.dropIfEmpty(room);
    }
    connection.workspaces = undefined;
  }

  /** A workspace unshared from a peer: its guests' subscriptions end as a removed member's do. */
  unshare(workspaceId: string, peerId: string): void {
    const room = this.rooms.get(workspaceId);
    if (!room) return;
    this.removeWhere(room, (connection) => connection.guestOf === peerId);
    this.dropIfEmpty(room);
  }

  /**
   * The event stream was cut off and is back with events lost for good in `gaps`: their subscribers are
   * told as a resume past the history is (`subscribed` with gap), and refetch.
   */
  announceGaps(gaps: ReadonlySet<string>): void {
    for (const workspaceId of gaps) {
      const room = this.rooms.get(workspaceId);
      if (!room) continue;
      const notice = JSON.stringify({ type: "subscribed", workspaceId, gap: true });
      for (const connection of room.members) connection.send(notice);
    }
  }

  /**
   * Every subscriber's membership checked again against the database: a member.removed event lost
   * while the event stream was away would otherwise leave a removed member subscribed.
   */
  async recheckMembers(): Promise<void> {
    const roles = new Map<string, Promise<Role | null>>();
    const roleOf = (workspaceId: string, userId: string) => {
      const key = `${workspaceId}\n${userId}`;
      let role = roles.get(key);
      if (!role) {
        role = this.options.roleOf(workspaceId, userId);
        roles.set(key, role);
      }
      return role;
    };
    const checks: Promise<void>[] = [];
    for (const room of [...this.rooms.values()]) {
      for (const connection of [...room.members, ...room.pending.keys()]) {
        const userId = connection.userId;
        if (userId === undefined) continue;
        checks.push(
          roleOf(room.workspaceId, userId).then((role) => {
            if (role || this.rooms.get(room.workspaceId) !== room) return;
            this.removeWhere(room, (subscriber) => subscriber === connection);
            this.dropIfEmpty(room);
          }),
        );
      }
    }
    await Promise.all(checks);
  }

  stop(): void {
    for (const room of this.rooms.values()) room.stop();
    this.rooms.clear();
  }

  private room(workspaceId: string): Room {
    const existing = this.rooms.get(workspaceId);
    if (existing) return existing;
    // The bus calls listeners only from a later publish, by which time `room` is initialised.
    const listener = (event: WorkspaceEvent) => this.deliver(room, event);
    const room: Room = {
      workspaceId,
      topic: `tessera:ws:${workspaceId}`,
      members: new Set(),
      pending: new Map(),
      lastId: 0,
      stop: this.options.events.subscribe(workspaceId, listener),
    };
    this.rooms.set(workspaceId, room);
    return room;
  }

  // Everything from here on is synchronous, so no live event can slip in between the replay,
  // the buffered events and joining the topic.
  private start(room: Room, connection: Connection, pending: Pending, since: string | undefined, replayed?: ReplayResult): void {
    const { workspaceId } = room;
    const gap = pending.overflowed || (replayed !== undefined && (replayed.gap || replayed.events.length > pending.limit));
    if (gap) {
      // The client refetches the workspace's state; it gets what happens from now on.
      connection.send(JSON.stringify({ type: "subscribed", workspaceId, gap: true }));
      pending.buffer = undefined;
      pending.after = room.lastId;
    } else {
      connection.send(JSON.stringify({ type: "subscribed", workspaceId }));
      let last = since === undefined ? 0 : Number(since);
      for (const event of replayed?.events ?? []) {
        connection.send(eventText(event));
        last = Number(event.id);
      }
      for (const event of pending.buffer ?? []) {
        if (event.id <= last) continue;
        connection.send(event.text);
        last = event.id;
      }
      pending.buffer = undefined;
      pending.after = last;
    }
    if (connection.closing) return;
    // With Redis, the history can be ahead of the live stream; until it catches up, deliver() sends directly.
    if (room.lastId >= pending.after) this.join(room, connection);
  }

  private join(room: Room, connection: Connection): void {
    room.pending.delete(connection);
    room.members.add(connection);
    connection.socket?.subscribe(room.topic);
  }

  private deliver(room: Room, event: WorkspaceEvent): void {
    const id = Number(event.id);
    if (id > room.lastId) room.lastId = id;
    // Before the fan-out: the removed user does not get this workspace's events any more, this one included.
    if (event.event === "member.removed") {
      const userId = removedUserId(event.data);
      if (userId !== undefined) this.removeWhere(room, (connection) => connection.userId === userId);
    }
    const text = eventText(event);
    if (room.members.size > 0) {
      this.server?.publish(room.topic, text);
      this.options.streams?.publish(room.topic, text);
      this.options.sent(room.members.size);
      for (const member of room.members) member.checkBuffer();
    }
    for (const [connection, pending] of room.pending) {
      if (pending.buffer) {
        if (pending.buffer.length < pending.limit) pending.buffer.push({ id, text });
        else pending.overflowed = true;
      } else if (id >= pending.after) {
        if (id > pending.after) connection.send(text);
        if (!connection.closing) this.join(room, connection);
      }
    }
    this.dropIfEmpty(room);
  }

  private removeWhere(room: Room, removed: (connection: Connection) => boolean): void {
    const notice = JSON.stringify({ type: "unsubscribed", workspaceId: room.workspaceId, reason: "removed" });
    for (const connection of [...room.members, ...room.pending.keys()]) {
      if (!removed(connection)) continue;
      this.leave(room, connection);
      connection.send(notice);
    }
  }

  private leave(room: Room, connection: Connection): void {
    if (room.members.delete(connection) && !connection.closing) connection.socket?.unsubscribe(room.topic);
    room.pending.delete(connection);
    connection.workspaces?.delete(room.workspaceId);
  }

  private dropIfEmpty(room: Room): void {
    if (room.members.size > 0 || room.pending.size > 0 || this.rooms.get(room.workspaceId) !== room) return;
    room.stop();
    this.rooms.delete(room.workspaceId);
  }
}
