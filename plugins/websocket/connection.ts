// One socket's state, kept small because there may be tens of thousands. The Connection is also the
// socket's `data`: Elysia's server-wide websocket handler calls `ws.data.open/message/close`, so these
// prototype methods are the per-socket handlers, with no per-socket closures or context copies.
import { CLOSE, type ErrorCode } from "./protocol";

/** The part of Bun's ServerWebSocket the plugin uses (tests pass fakes). */
export interface Socket {
  send(data: string): number;
  close(code?: number, reason?: string): void;
  subscribe(topic: string): void;
  unsubscribe(topic: string): void;
  getBufferedAmount(): number;
}

export interface Identity {
  userId: string;
  /** When the credential expires (epoch ms); undefined when the resolver does not say. */
  expiresAt: number | undefined;
  /** The session the credential is, or was issued for: its revocation ends the connection. */
  sessionId?: string;
  /** A guest's federation peer: suspending it, or unsharing a workspace from it, reaches this connection. */
  guestOf?: string;
}

/** What a Connection reports to, and the one limit it needs on every send. */
export interface ConnectionOwner {
  readonly maxBufferedBytes: number;
  opened(connection: Connection): void;
  received(connection: Connection, message: string | Buffer): void;
  closed(connection: Connection, code: number, reason: string): void;
  sent(count: number): void;
}

export class Connection {
  socket: Socket | undefined;
  userId: string | undefined;
  expiresAt: number | undefined;
  sessionId: string | undefined;
  guestOf: string | undefined;
  /** The auth deadline before authentication, the credential's expiry after. */
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Workspaces subscribed or being subscribed; created on the first subscribe. */
  workspaces: Set<string> | undefined;
  /** The per-user connection slot this socket holds, given back when it closes. */
  slot: string | undefined;
  /** Messages refused by the rate limit since the last one allowed. */
  strikes = 0;
  authenticating = false;
  closing = false;

  constructor(
    private readonly owner: ConnectionOwner,
    identity: Identity | undefined,
  ) {
    this.userId = identity?.userId;
    this.expiresAt = identity?.expiresAt;
    this.sessionId = identity?.sessionId;
    this.guestOf = identity?.guestOf;
  }

  open(socket: Socket): void {
    this.socket = socket;
    this.owner.opened(this);
  }

  message(_socket: Socket, message: string | Buffer): void {
    this.owner.received(this, message);
  }

  close(_socket: Socket, code: number, reason: string): void {
    this.closing = true;
    this.owner.closed(this, code, reason);
  }

  /** Sends one frame; a consumer whose buffer passed the bound is closed (1013) instead of buffered without limit. */
  send(text: string): void {
    const socket = this.socket;
    if (!socket || this.closing) return;
    const status = socket.send(text);
    this.owner.sent(1);
    if (status === 0 || socket.getBufferedAmount() > this.owner.maxBufferedBytes) this.closeSlow();
  }

  error(code: ErrorCode, message: string, extra?: { workspaceId?: string; retryAfterMs?: number }): void {
    this.send(JSON.stringify({ type: "error", code, message, ...extra }));
  }

  /** Closes once; Bun runs the close handler synchronously inside `close`. */
  end(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.socket?.close(code, reason);
  }

  /** After a publish to its topics: the same bound as `send`. */
  checkBuffer(): void {
    const socket = this.socket;
    if (socket && !this.closing && socket.getBufferedAmount() > this.owner.maxBufferedBytes) this.closeSlow();
  }

  private closeSlow(): void {
    this.end(CLOSE.SLOW_CONSUMER, "send buffer full: consumer too slow; reconnect with since");
  }
}
