// Local delivery shared by both buses: per-workspace and catch-all listeners, called synchronously
// in order; one listener throwing is logged and does not stop the others.
import type { Logger } from "../log/logger";
import type { EventListener, WorkspaceEvent } from "./event-bus";

export class Listeners {
  private readonly byWorkspace = new Map<string, Set<EventListener>>();
  private readonly all = new Set<EventListener>();

  constructor(private readonly logger: Logger) {}

  add(workspaceId: string, listener: EventListener): () => void {
    let set = this.byWorkspace.get(workspaceId);
    if (!set) {
      set = new Set();
      this.byWorkspace.set(workspaceId, set);
    }
    // A wrapper, so the same function subscribed twice is two subscriptions, each removable once.
    const entry: EventListener = (event) => listener(event);
    set.add(entry);
    return () => {
      set.delete(entry);
      if (set.size === 0 && this.byWorkspace.get(workspaceId) === set) this.byWorkspace.delete(workspaceId);
    };
  }

  addAll(listener: EventListener): () => void {
    const entry: EventListener = (event) => listener(event);
    this.all.add(entry);
    return () => {
      this.all.delete(entry);
    };
  }

  /** Whether anyone on this instance wants this workspace's events. */
  wants(workspaceId: string): boolean {
    return this.all.size > 0 || this.byWorkspace.has(workspaceId);
  }

  emit(event: WorkspaceEvent): void {
    const set = this.byWorkspace.get(event.workspaceId);
    if (set) for (const listener of set) this.call(listener, event);
    for (const listener of this.all) this.call(listener, event);
  }

  clear(): void {
    this.byWorkspace.clear();
    this.all.clear();
  }

  private call(listener: EventListener, event: WorkspaceEvent): void {
    try {
      listener(event);
    } catch (error) {
      this.logger.error("event listener failed", { workspaceId: event.workspaceId, id: event.id, event: event.event, error });
    }
  }
}
