// A typed client for Tessera's WebSocket, for Bun and browsers (it uses only WebSocket and timers).
// It authenticates (a token sent as the first message, or a ticket fetched before each connect),
// keeps its subscriptions across reconnects (jittered exponential backoff) and resumes each workspace
// from the last event id it saw, so a reconnect loses nothing the server still has.
import { type BackoffOptions, backoffDelay } from "./backoff";
import { CLOSE, type ErrorMessage, type EventMessage, type ServerMessage } from "./protocol";

// `tessera/client`: the wire types and close codes come with the client (docs/websocket.md).
export {
  CLOSE,
  type ClientMessage,
  type ErrorCode,
  type ErrorMessage,
  type EventMessage,
  type PongMessage,
  type ReadyMessage,
  type ServerMessage,
  type SubscribedMessage,
  type UnsubscribedMessage,
} from "./protocol";

export type SocketStatus = "connecting" | "open" | "reconnecting" | "closed";

export interface StatusDetail {
  code?: number;
  reason?: string;
  error?: unknown;
}

export interface TesseraSocketOptions {
  /** The endpoint, e.g. `wss://tessera.example.com/ws`. */
  url: string | URL;
  /** A session or access token sent in an `auth` message, or a function returning a fresh one for each connect. */
  token?: string | (() => string | Promise<string>);
  /** Returns a single-use ticket (the `ticket` of POST /ws/ticket) before each connect; for browsers. */
  ticket?: () => Promise<string>;
  onEvent?: (event: EventMessage) => void;
  /** `error` frames from the server (forbidden, rate_limited, …). */
  onError?: (error: ErrorMessage) => void;
  /** The server could not replay everything since the last event seen: refetch this workspace's state. */
  onGap?: (workspaceId: string) => void;
  /** The server ended a subscription: the user was removed from the workspace. */
  onRemoved?: (workspaceId: string) => void;
  onStatus?: (status: SocketStatus, detail?: StatusDetail) => void;
  reconnect?: Partial<BackoffOptions>;
  /** Application-level pings (browsers can't see protocol pings); a socket silent for two intervals is replaced. 0 turns them off. */
  pingIntervalMs?: number;
  WebSocket?: new (url: string | URL) => WebSocket;
}

const DEFAULT_BACKOFF: BackoffOptions = { initialDelayMs: 500, maxDelayMs: 30_000 };

export class TesseraSocket {
  private readonly wanted = new Set<string>();
  private readonly lastIds = new Map<string, string>();
  private readonly backoff: BackoffOptions;
  private socket: WebSocket | undefined;
  private ready = false;
  private stopped = false;
  private attempt = 0;
  private lastHeard = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly options: TesseraSocketOptions) {
    this.backoff = { ...DEFAULT_BACKOFF, ...options.reconnect };
    void this.connect();
  }

  /** Follows a workspace from `since` (else from the last event seen, else from now) until unsubscribed. */
  subscribe(workspaceId: string, since?: string): void {
    this.wanted.add(workspaceId);
    if (since !== undefined) this.lastIds.set(workspaceId, since);
    if (this.ready) this.sendSubscribe(workspaceId);
  }

  unsubscribe(workspaceId: string): void {
    this.wanted.delete(workspaceId);
    this.lastIds.delete(workspaceId);
    if (this.ready) this.send({ type: "unsubscribe", workspaceId });
  }

  /** The id to resume a workspace from. */
  lastEventId(workspaceId: string): string | undefined {
    return this.lastIds.get(workspaceId);
  }

  close(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.stopPings();
    this.socket?.close(1000, "client closed");
    this.options.onStatus?.("closed");
  }

  private async connect(): Promise<void> {
    this.options.onStatus?.(this.attempt === 0 ? "connecting" : "reconnecting");
    const url = new URL(this.options.url);
    let token: string | undefined;
    try {
      if (this.options.ticket) url.searchParams.set("ticket", await this.options.ticket());
      const source = this.options.token;
      token = typeof source === "function" ? await source() : source;
    } catch (error) {
      this.retry({ error });
      return;
    }
    if (this.stopped) return;
    const socket = new (this.options.WebSocket ?? WebSocket)(url);
    this.socket = socket;
    socket.onopen = () => {
      this.lastHeard = Date.now();
      if (token !== undefined) socket.send(JSON.stringify({ type: "auth", token }));
    };
    socket.onmessage = (message) => {
      if (typeof message.data === "string") this.receive(message.data);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.ready = false;
      this.stopPings();
      if (!this.stopped) this.closed(event.code, event.reason);
    };
  }

  private receive(text: string): void {
    this.lastHeard = Date.now();
    let message: ServerMessage;
    try {
      message = JSON.parse(text);
    } catch {
      // Not the protocol: whatever answered is not a Tessera server, or a proxy mangled it. The close
      // reason says so to onStatus, and the reconnect starts over.
      this.socket?.close(4000, "malformed frame from server");
      return;
    }
    switch (message.type) {
      case "ready":
        this.attempt = 0;
        if (!this.ready) {
          this.ready = true;
          this.startPings();
          for (const workspaceId of this.wanted) this.sendSubscribe(workspaceId);
          this.options.onStatus?.("open");
        }
        return;
      case "event": {
        const last = this.lastIds.get(message.workspaceId);
        // A resumed subscription never repeats an event, but a client must not rely on one server's manners.
        if (last !== undefined && Number(message.id) <= Number(last)) return;
        this.lastIds.set(message.workspaceId, message.id);
        this.options.onEvent?.(message);
        return;
      }
      case "subscribed":
        if (message.gap) this.options.onGap?.(message.workspaceId);
        return;
      case "unsubscribed":
        if (message.reason === "removed") {
          this.wanted.delete(message.workspaceId);
          this.options.onRemoved?.(message.workspaceId);
        }
        return;
      case "error":
        if (message.code === "forbidden" && message.workspaceId !== undefined) this.wanted.delete(message.workspaceId);
        this.options.onError?.(message);
        return;
      case "pong":
        return;
    }
  }

  private closed(code: number, reason: string): void {
    // Not a user, or a fixed token the server refused: trying again can't help.
    const hopeless = code === CLOSE.FORBIDDEN || (code === CLOSE.UNAUTHENTICATED && typeof this.options.token === "string");
    if (hopeless) {
      this.stopped = true;
      this.options.onStatus?.("closed", { code, reason });
      return;
    }
    this.retry({ code, reason });
  }

  private retry(detail: StatusDetail): void {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt, this.backoff);
    this.attempt += 1;
    this.options.onStatus?.("reconnecting", detail);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  private sendSubscribe(workspaceId: string): void {
    const since = this.lastIds.get(workspaceId);
    this.send(since === undefined ? { type: "subscribe", workspaceId } : { type: "subscribe", workspaceId, since });
  }

  private send(message: object): void {
    this.socket?.send(JSON.stringify(message));
  }

  private startPings(): void {
    const interval = this.options.pingIntervalMs ?? 25_000;
    if (interval <= 0) return;
    this.pingTimer = setInterval(() => {
      if (Date.now() - this.lastHeard > 2 * interval) this.socket?.close(4000, "no answer to pings");
      else this.send({ type: "ping" });
    }, interval);
  }

  private stopPings(): void {
    clearInterval(this.pingTimer);
    this.pingTimer = undefined;
  }
}
