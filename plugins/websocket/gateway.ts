// The sockets' lifecycle: authentication (at upgrade or by message, with its deadline and the
// credential's expiry), the per-user message rate checked before anything else, dispatch to the hub,
// per-user connection counts (ctx.slots: across instances when Redis is configured), closing a socket
// whose session or access is withdrawn (revocation.ts), and closing everything on shutdown.
import {
  andThen,
  isTesseraError,
  type Logger,
  type MaybePromise,
  type RateLimiter,
  rateLimitHeaders,
  type Slots,
  TesseraError,
  unauthenticated,
} from "tessera/plugin";
import { Connection, type ConnectionOwner, type Identity } from "./connection";
import type { Credentials } from "./credentials";
import { armAuthDeadline, armExpiry, clearDeadline } from "./deadlines";
import type { Hub } from "./hub";
import type { LiveSettings } from "./live-settings";
import { MessageLimit } from "./message-limit";
import { isParseFailure, parseClientMessage } from "./parse-message";
import { CLOSE } from "./protocol";
import type { Revocations } from "./revocation";
import type { WsMetrics } from "./ws-metrics";

export interface GatewayOptions {
  hub: Hub;
  credentials: Credentials;
  revocations: Revocations;
  metrics: WsMetrics;
  log: Logger;
  /** Read for each socket and message, so a reload applies to open sockets from their next message on. */
  settings: () => GatewaySettings;
  /** The limiter shared by every instance (Redis), for the message rate; absent on a single instance. */
  sharedLimits?: RateLimiter;
  slots: Slots;
  maxBufferedBytes: number;
}

export type GatewaySettings = Pick<LiveSettings, "authTimeoutMs" | "messages" | "maxConnectionsPerUser">;

const PONG = JSON.stringify({ type: "pong" });

export class Gateway implements ConnectionOwner {
  readonly maxBufferedBytes: number;
  stopping = false;
  private readonly all = new Set<Connection>();
  // Slot holders must be unique across instances: this instance's id and a counter.
  private readonly holderPrefix = `${crypto.randomUUID()}:`;
  private holders = 0;
  private readonly messages: MessageLimit;

  constructor(private readonly options: GatewayOptions) {
    this.maxBufferedBytes = options.maxBufferedBytes;
    this.messages = new MessageLimit(options.log, options.sharedLimits);
  }

  get size(): number {
    return this.all.size;
  }

  /** A socket about to be opened; one authenticated at upgrade takes one of its user's slots now. */
  connect(identity: Identity | undefined): MaybePromise<Connection> {
    if (this.options.revocations.isRevoked(identity?.sessionId)) {
      throw unauthenticated("The session this credential was issued for was revoked; sign in again");
    }
    const connection = new Connection(this, identity);
    if (!identity) return connection;
    return andThen(this.reserve(connection, identity.userId), (reserved) => {
      if (!reserved) throw this.tooManyConnections();
      return connection;
    });
  }

  /** The upgrade failed after `connect`: give the slot back. */
  abandon(connection: Connection): void {
    this.releaseSlot(connection);
  }

  opened(connection: Connection): void {
    this.all.add(connection);
    if (connection.userId === undefined) armAuthDeadline(connection, this.options.settings().authTimeoutMs);
    else this.ready(connection);
  }

  received(connection: Connection, message: string | Buffer): void {
    this.options.metrics.received();
    const userId = connection.userId;
    if (userId === undefined) {
      this.receivedBeforeAuth(connection, message);
      return;
    }
    if (!this.allow(connection, userId)) return;
    if (typeof message !== "string") {
      connection.error("bad_message", "Send JSON text frames, not binary ones");
      return;
    }
    const parsed = parseClientMessage(message);
    if (isParseFailure(parsed)) {
      connection.error(parsed.code, parsed.message);
      return;
    }
    switch (parsed.type) {
      case "auth":
        void this.authenticate(connection, parsed.token);
        return;
      case "subscribe":
        void this.options.hub.subscribe(connection, parsed.workspaceId, parsed.since);
        return;
      case "unsubscribe":
        this.options.hub.unsubscribe(connection, parsed.workspaceId);
        return;
      case "ping":
        connection.send(PONG);
        return;
    }
  }

  closed(connection: Connection, code: number): void {
    clearDeadline(connection);
    this.options.revocations.untrack(connection);
    if (!this.all.delete(connection)) return;
    this.options.hub.drop(connection);
    this.releaseSlot(connection);
    this.options.metrics.closed(code);
  }

  sent(count: number): void {
    this.options.metrics.sent(count);
  }

  /** Shutdown: every socket gets 1001 so clients reconnect (elsewhere); upgrades are refused from now on. */
  stop(): void {
    this.stopping = true;
    for (const connection of [...this.all]) connection.end(CLOSE.GOING_AWAY, "server shutting down");
    this.options.hub.stop();
    this.messages.close();
  }

  // Until `ready`, a socket may send one thing: an `auth` message.
  private receivedBeforeAuth(connection: Connection, message: string | Buffer): void {
    const parsed = typeof message === "string" ? parseClientMessage(message) : undefined;
    if (parsed && !isParseFailure(parsed) && parsed.type === "auth" && !connection.authenticating) {
      void this.authenticate(connection, parsed.token);
      return;
    }
    if (parsed && isParseFailure(parsed)) connection.error(parsed.code, parsed.message);
    else connection.error("unauthenticated", 'Authenticate first: send {"type":"auth","token":…} and wait for "ready"');
    connection.end(CLOSE.UNAUTHENTICATED, "not authenticated");
  }

  private allow(connection: Connection, userId: string): boolean {
    const rule = this.options.settings().messages;
    const decision = this.messages.check(userId, rule);
    if (decision.allowed) {
      connection.strikes = 0;
      return true;
    }
    this.options.metrics.limited("message");
    connection.strikes += 1;
    if (connection.strikes === 1) {
      connection.error("rate_limited", "Too many messages; this one was dropped", { retryAfterMs: decision.retryAfterMs });
    } else if (connection.strikes > rule.burst) {
      connection.end(CLOSE.RATE_LIMITED, "rate limit exceeded");
    }
    return false;
  }

  private async authenticate(connection: Connection, token: string): Promise<void> {
    connection.authenticating = true;
    let identity: Identity;
    try {
      identity = await this.options.credentials.fromToken(token);
    } catch (error) {
      this.refuse(connection, error);
      return;
    } finally {
      connection.authenticating = false;
    }
    if (connection.closing) return;
    if (connection.userId !== undefined) {
      // Re-authentication extends the socket's life; it can't change whose socket it is.
      if (identity.userId !== connection.userId) {
        connection.error("user_mismatch", "That token belongs to another user; open another socket for them");
        return;
      }
    } else {
      let reserved: boolean;
      try {
        reserved = await this.reserve(connection, identity.userId);
      } catch (error) {
        this.refuse(connection, error);
        return;
      }
      // Closed while the slot was being taken: closed() found no slot to give back, so give it here.
      if (!this.all.has(connection)) {
        this.releaseSlot(connection, identity.userId);
        return;
      }
      if (!reserved) {
        this.options.metrics.limited("connections");
        connection.error("too_many_connections", `At most ${this.options.settings().maxConnectionsPerUser} sockets per user`);
        connection.end(CLOSE.RATE_LIMITED, "too many connections");
        return;
      }
    }
    this.options.revocations.untrack(connection);
    connection.userId = identity.userId;
    connection.expiresAt = identity.expiresAt;
    connection.sessionId = identity.sessionId;
    connection.guestOf = identity.guestOf;
    this.ready(connection);
  }

  private ready(connection: Connection): void {
    armExpiry(connection);
    this.options.revocations.track(connection);
    if (connection.closing) return;
    const { userId, expiresAt } = connection;
    connection.send(JSON.stringify(expiresAt === undefined ? { type: "ready", userId } : { type: "ready", userId, expiresAt }));
  }

  // A refused re-authentication leaves the socket as it was: its current credential still holds.
  private refuse(connection: Connection, error: unknown): void {
    const authenticated = connection.userId !== undefined;
    if (isTesseraError(error) && (error.status === 401 || error.status === 403)) {
      const forbidden = error.status === 403;
      connection.error(forbidden ? "forbidden" : "unauthenticated", error.message);
      if (!authenticated) connection.end(forbidden ? CLOSE.FORBIDDEN : CLOSE.UNAUTHENTICATED, "authentication failed");
      return;
    }
    this.options.log.error("authenticating a socket failed", { error });
    connection.error("internal", "Authentication failed on the server; try again");
    if (!authenticated) connection.end(CLOSE.INTERNAL, "authentication failed");
  }

  // Answers synchronously when the slots are in memory, so a single instance's upgrade path stays cheap.
  private reserve(connection: Connection, userId: string): MaybePromise<boolean> {
    const holder = this.holderPrefix + String(++this.holders);
    // A lower limit refuses new sockets only: those already open keep their slots.
    const taken = this.options.slots.acquire(slotKey(userId), this.options.settings().maxConnectionsPerUser, holder);
    const settle = (ok: boolean) => {
      if (ok) connection.slot = holder;
      return ok;
    };
    return andThen(taken, settle);
  }

  private releaseSlot(connection: Connection, userId = connection.userId): void {
    if (connection.slot === undefined || userId === undefined) return;
    this.options.slots.release(slotKey(userId), connection.slot);
    connection.slot = undefined;
  }

  private tooManyConnections(): TesseraError {
    this.options.metrics.limited("connections");
    const max = this.options.settings().maxConnectionsPerUser;
    return new TesseraError("ERR_RATE_LIMITED", `At most ${max} WebSockets per user; close one first`, {
      status: 429,
      headers: rateLimitHeaders({ allowed: false, limit: max, remaining: 0, retryAfterMs: 1000, resetMs: 1000 }),
    });
  }
}

const slotKey = (userId: string) => `ws-user:${userId}`;
