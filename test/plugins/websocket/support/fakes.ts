// In-memory stand-ins for Bun's server and sockets, and an event bus whose live delivery the test
// releases by hand (as Redis may deliver an event after it is already in the history).
import type { EventBus, EventListener, ReplayResult, ResyncListener, WorkspaceEvent } from "../../../../core/events/event-bus";
import { Connection, type ConnectionOwner, type Socket } from "../../../../plugins/websocket/connection";
import type { Hub, Publisher } from "../../../../plugins/websocket/hub";

export class FakeServer implements Publisher {
  readonly sockets = new Set<FakeSocket>();
  publishes = 0;

  publish(topic: string, data: string): number {
    this.publishes++;
    for (const socket of this.sockets) if (socket.topics.has(topic)) socket.receive(data);
    return data.length;
  }
}

export class FakeSocket implements Socket {
  readonly frames: string[] = [];
  readonly topics = new Set<string>();
  buffered = 0;
  closedWith: { code: number; reason: string } | undefined;

  constructor(
    private readonly server: FakeServer,
    readonly connection: Connection,
  ) {
    server.sockets.add(this);
  }

  receive(data: string): void {
    this.frames.push(data);
  }

  send(data: string): number {
    this.receive(data);
    return data.length;
  }

  close(code: number, reason: string): void {
    this.closedWith = { code, reason };
    this.server.sockets.delete(this);
    // As Bun does: the close handler runs inside close().
    this.connection.close(this, code, reason);
  }

  subscribe(topic: string): void {
    this.topics.add(topic);
  }

  unsubscribe(topic: string): void {
    this.topics.delete(topic);
  }

  getBufferedAmount(): number {
    return this.buffered;
  }

  /** The frames parsed, for assertions. */
  get messages(): Array<Record<string, unknown>> {
    return this.frames.map((frame) => JSON.parse(frame));
  }

  /** Ids of the event frames received, in order. */
  get eventIds(): string[] {
    return this.messages.filter((message) => message.type === "event").map((message) => String(message.id));
  }
}

/** An owner that only does what the hub needs: leave rooms on close. */
export const hubOwner = (hub: () => Hub, maxBufferedBytes = 1_000_000): ConnectionOwner => ({
  maxBufferedBytes,
  opened: () => {},
  received: () => {},
  closed: (connection) => hub().drop(connection),
  sent: () => {},
});

export const openConnection = (server: FakeServer, owner: ConnectionOwner, userId: string): FakeSocket => {
  const connection = new Connection(owner, { userId, expiresAt: undefined });
  const socket = new FakeSocket(server, connection);
  connection.open(socket);
  return socket;
};

export class ManualBus implements EventBus {
  readonly history: WorkspaceEvent[] = [];
  private readonly queued: WorkspaceEvent[] = [];
  private readonly listeners = new Map<string, Set<EventListener>>();
  private readonly resyncListeners = new Set<ResyncListener>();

  async publish(workspaceId: string, event: string, data: unknown): Promise<WorkspaceEvent> {
    const id = String(this.history.filter((e) => e.workspaceId === workspaceId).length + 1);
    const published = { workspaceId, id, event, data, ts: Date.now() };
    this.history.push(published);
    this.queued.push(published);
    return published;
  }

  /** Delivers what was published so far to live listeners. */
  flush(): void {
    for (const event of this.queued.splice(0))
      for (const listener of this.listeners.get(event.workspaceId) ?? []) listener(event);
  }

  subscribe(workspaceId: string, listener: EventListener): () => void {
    let set = this.listeners.get(workspaceId);
    if (!set) {
      set = new Set();
      this.listeners.set(workspaceId, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  listening(workspaceId: string): number {
    return this.listeners.get(workspaceId)?.size ?? 0;
  }

  subscribeAll(): () => void {
    throw new Error("the hub listens per workspace");
  }

  async replay(workspaceId: string, since: string, limit = 1000): Promise<ReplayResult> {
    const events = this.history.filter((e) => e.workspaceId === workspaceId && Number(e.id) > Number(since)).slice(0, limit);
    return { events, gap: false };
  }

  onResync(listener: ResyncListener): () => void {
    this.resyncListeners.add(listener);
    return () => this.resyncListeners.delete(listener);
  }

  /** As a Redis bus does when its subscriber is back: `gaps` lost events for good. */
  resync(gaps: Iterable<string> = []): void {
    const lost = new Set(gaps);
    for (const listener of this.resyncListeners) listener(lost);
  }

  async ready(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {}
}
