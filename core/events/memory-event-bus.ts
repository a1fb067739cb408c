// The event bus for a single instance: per-workspace counters and a bounded history in memory,
// listeners called synchronously inside publish. Nothing survives a restart; replay says so (hasGap).
import { createLogger } from "../log/json-logger";
import type { Logger } from "../log/logger";
import type { EventBus, EventListener, ReplayResult, WorkspaceEvent } from "./event-bus";
import { hasGap, parseLimit, parseSince } from "./event-id";
import { Listeners } from "./listeners";

export interface MemoryEventBusOptions {
  /** Events kept per workspace for replay. */
  historySize?: number;
  logger?: Logger;
  now?: () => number;
}

interface Stream {
  seq: number;
  history: WorkspaceEvent[];
}

export class MemoryEventBus implements EventBus {
  private readonly streams = new Map<string, Stream>();
  private readonly listeners: Listeners;
  private readonly historySize: number;
  private readonly now: () => number;

  constructor(options: MemoryEventBusOptions = {}) {
    this.historySize = Math.max(1, options.historySize ?? 1000);
    this.now = options.now ?? Date.now;
    this.listeners = new Listeners(options.logger ?? createLogger());
  }

  async publish(workspaceId: string, event: string, data: unknown): Promise<WorkspaceEvent> {
    let stream = this.streams.get(workspaceId);
    if (!stream) {
      stream = { seq: 0, history: [] };
      this.streams.set(workspaceId, stream);
    }
    stream.seq++;
    const published: WorkspaceEvent = { workspaceId, id: String(stream.seq), event, data, ts: this.now() };
    stream.history.push(published);
    if (stream.history.length > this.historySize) stream.history.splice(0, stream.history.length - this.historySize);
    this.listeners.emit(published);
    return published;
  }

  subscribe(workspaceId: string, listener: EventListener): () => void {
    return this.listeners.add(workspaceId, listener);
  }

  subscribeAll(listener: EventListener): () => void {
    return this.listeners.addAll(listener);
  }

  async replay(workspaceId: string, since: string, limit?: number): Promise<ReplayResult> {
    const after = parseSince(since);
    const max = parseLimit(limit);
    const stream = this.streams.get(workspaceId);
    const history = stream?.history ?? [];
    // Ids in a history are consecutive, so the first event after `since` sits at a computed index.
    const first = Number(history[0]?.id ?? 0);
    const start = Math.max(0, after + 1 - first);
    const events = history.slice(start, start + max);
    // Counters start again at 1 in a new process, so a `since` beyond the counter predates it.
    return { events, gap: hasGap(after, events[0]?.id, { newest: stream?.seq ?? 0, from: 0 }) };
  }

  /** One process's history has no outage to come back from. */
  onResync(): () => void {
    return () => {};
  }

  async ready(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
