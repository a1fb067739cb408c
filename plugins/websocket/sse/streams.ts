// Every open event stream of this instance: per-user stream slots (ctx.slots, so across instances with
// Redis), the subscription through the hub, the credential's expiry and revocation (revocation.ts), one
// heartbeat timer for all streams, and a clean end for each on shutdown.
import { forbidden, notFound, type Registry, rateLimitHeaders, type Slots, TesseraError, unauthenticated } from "tessera/plugin";
import type { Connection, ConnectionOwner, Identity } from "../connection";
import { armExpiry, clearDeadline } from "../deadlines";
import type { Hub } from "../hub";
import type { LiveSettings } from "../live-settings";
import { CLOSE } from "../protocol";
import type { Revocations } from "../revocation";
import { EventStream } from "./stream";
import type { StreamTopics } from "./topics";

export interface EventStreamsOptions {
  hub: Hub;
  topics: StreamTopics;
  revocations: Revocations;
  slots: Slots;
  metrics: Registry;
  heartbeatMs: number;
  /** Read for each new stream, so a reload applies from the next one. */
  settings: () => StreamSettings;
  maxBufferedBytes: number;
}

export type StreamSettings = Pick<LiveSettings, "maxStreamsPerUser" | "retryMs">;

const HEADERS = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache",
  // nginx buffers responses by default, which would hold events back until its buffer fills.
  "x-accel-buffering": "no",
};

const slotKey = (userId: string) => `sse-user:${userId}`;

export class EventStreams implements ConnectionOwner {
  readonly maxBufferedBytes: number;
  stopping = false;
  private readonly open = new Map<Connection, EventStream>();
  // Slot holders must be unique across instances: this instance's id and a counter.
  private readonly holderPrefix = `${crypto.randomUUID()}:`;
  private holders = 0;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private readonly dropped: { inc(): void };

  constructor(private readonly options: EventStreamsOptions) {
    this.maxBufferedBytes = options.maxBufferedBytes;
    options.metrics.gauge({
      name: "tessera_sse_streams",
      help: "Open Server-Sent Events streams",
      collect: (gauge) => gauge.set(this.open.size),
    });
    this.dropped = options.metrics
      .counter({ name: "tessera_sse_slow_readers_total", help: "Event streams ended because the reader fell behind" })
      .labels();
  }

  /**
   * Subscribes `identity` to the workspace (replaying after `since`) and answers with the stream, or
   * throws a problem: 401 for a revoked session, 429 past the user's streams, 404 for a workspace they
   * are not in, 503 on shutdown.
   */
  async connect(identity: Identity, workspaceId: string, since: string | undefined): Promise<Response> {
    if (this.stopping) throw shuttingDown();
    if (this.options.revocations.isRevoked(identity.sessionId)) throw revoked();
    const holder = this.holderPrefix + String(++this.holders);
    const key = slotKey(identity.userId);
    const { maxStreamsPerUser, retryMs } = this.options.settings();
    if (!(await this.options.slots.acquire(key, maxStreamsPerUser, holder))) throw tooManyStreams(maxStreamsPerUser);
    const stream = new EventStream(this, identity, this.options.topics, retryMs);
    const { connection } = stream;
    connection.slot = holder;
    this.open.set(connection, stream);
    connection.open(stream);
    // Revoked while the slot was awaited: opened() ended it, and closed() gave the slot back.
    if (connection.closing) throw revoked();
    await this.options.hub.subscribe(connection, workspaceId, since);
    const refusal = stream.refusal;
    // Stopping began while the slot or the subscription was awaited: stop() did not see this stream.
    if (refusal || connection.closing || this.stopping) {
      connection.end(CLOSE.GOING_AWAY, "not subscribed");
      // The hub's answer for a workspace that does not exist too, so ids can't be probed.
      if (refusal?.code === "forbidden") throw notFound("No such workspace", { path: workspaceId });
      if (refusal?.code === "session_revoked") throw revoked();
      if (refusal?.code === "access_withdrawn") throw forbidden(refusal.message);
      if (refusal) throw new TesseraError("ERR_INTERNAL", "Subscribing failed on the server; try again", { status: 500 });
      throw this.stopping ? shuttingDown() : unavailable("The subscription ended before the stream started; try again");
    }
    stream.started();
    return new Response(stream.body, { headers: HEADERS });
  }

  opened(connection: Connection): void {
    armExpiry(connection);
    this.heartbeat ??= setInterval(() => this.beat(), this.options.heartbeatMs);
    // Last: ending a revoked stream here stops the heartbeat again if it was the only one.
    this.options.revocations.track(connection);
  }

  /** An event stream carries nothing from the client. */
  received(): void {}

  closed(connection: Connection, code: number): void {
    clearDeadline(connection);
    this.options.revocations.untrack(connection);
    if (!this.open.delete(connection)) return;
    this.options.hub.drop(connection);
    const { userId, slot } = connection;
    if (userId !== undefined && slot !== undefined) this.options.slots.release(slotKey(userId), slot);
    connection.slot = undefined;
    if (code === CLOSE.SLOW_CONSUMER) this.dropped.inc();
    if (this.open.size === 0) this.stopHeartbeat();
  }

  /** Not counted per stream: the hub's publish count already includes stream members. */
  sent(): void {}

  /** Shutdown: every stream ends cleanly (an EventSource reconnects after `retry`); new ones get 503. */
  stop(): void {
    this.stopping = true;
    for (const connection of [...this.open.keys()]) connection.end(CLOSE.GOING_AWAY, "server shutting down");
    this.stopHeartbeat();
  }

  private beat(): void {
    for (const [connection, stream] of this.open) {
      stream.ping();
      connection.checkBuffer();
    }
  }

  private stopHeartbeat(): void {
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}

const tooManyStreams = (max: number) =>
  new TesseraError("ERR_RATE_LIMITED", `At most ${max} event streams per user; close one first`, {
    status: 429,
    headers: rateLimitHeaders({ allowed: false, limit: max, remaining: 0, retryAfterMs: 1000, resetMs: 1000 }),
  });

const unavailable = (message: string) =>
  new TesseraError("ERR_UNAVAILABLE", message, { status: 503, headers: { "Retry-After": "1" } });

const revoked = () => unauthenticated("The session was revoked (signed out); sign in again");

const shuttingDown = () => unavailable("The server is shutting down; reconnect shortly");
