// The workspace event stream: one interface, an in-memory implementation for a single instance
// and a Redis one for several. Ids are per-workspace, monotonically increasing, as decimal strings.

export interface WorkspaceEvent {
  workspaceId: string;
  id: string;
  event: string;
  data: unknown;
  ts: number;
}

export interface ReplayResult {
  events: WorkspaceEvent[];
  /**
   * True when the history cannot vouch that `events` are all there was after `since`: dropped from the
   * bounded history, or `since` is from before the history restarted (see hasGap in event-id.ts).
   */
  gap: boolean;
}

export type EventListener = (event: WorkspaceEvent) => void;

export type ResyncListener = (gaps: ReadonlySet<string>) => void;

export interface EventBus {
  /**
   * Calls not awaited one by one are still numbered and delivered in call order, so a producer with
   * several events should start them together: on Redis, awaiting each costs a round trip per event.
   */
  publish(workspaceId: string, event: string, data: unknown): Promise<WorkspaceEvent>;
  /** Listen to one workspace's events on this instance (whatever instance published them). */
  subscribe(workspaceId: string, listener: EventListener): () => void;
  /** Listen to every workspace's events. */
  subscribeAll(listener: EventListener): () => void;
  /** Events with id > since, oldest first, at most `limit`. */
  replay(workspaceId: string, since: string, limit?: number): Promise<ReplayResult>;
  /**
   * After this instance was cut off from the shared stream and is back (its Redis subscriber
   * reconnected): `gaps` are the workspaces listened to here whose missed events could not all be
   * replayed. Anything decided from events while away (a member.removed among them) must be re-checked
   * against the database. Never called by a single-process bus.
   */
  onResync(listener: ResyncListener): () => void;
  ready(): Promise<boolean>;
  close(): Promise<void>;
}
