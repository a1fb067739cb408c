// The WebSocket wire contract, shared by the server and the client (so: no Bun or Node APIs here).
// Every frame is a JSON object whose `type` names it.

/** Close codes the server uses; clients branch on them to decide whether and how to reconnect. */
export const CLOSE = {
  /** The server is shutting down: reconnect (elsewhere). */
  GOING_AWAY: 1001,
  /** A frame was larger than the configured maximum (sent by Bun itself). */
  TOO_BIG: 1009,
  INTERNAL: 1011,
  /** The client did not drain its buffer fast enough: reconnect and resume with `since`. */
  SLOW_CONSUMER: 1013,
  /** Not authenticated in time, bad credentials, the credential expired, or its session was revoked (sign-out). */
  UNAUTHENTICATED: 4401,
  /** Authenticated, but not as a user (a service or a peer); or a guest whose peer was suspended or disconnected. */
  FORBIDDEN: 4403,
  /** Kept flooding after `rate_limited`, or too many connections for this user. */
  RATE_LIMITED: 4429,
} as const;

/** `code` of an `error` frame. */
export type ErrorCode =
  | "bad_message"
  | "unknown_type"
  | "unauthenticated"
  | "auth_timeout"
  | "token_expired"
  | "session_revoked"
  | "access_withdrawn"
  | "user_mismatch"
  | "forbidden"
  | "already_subscribed"
  | "not_subscribed"
  | "rate_limited"
  | "too_many_connections"
  | "internal";

export type ClientMessage =
  | { type: "auth"; token: string }
  | { type: "subscribe"; workspaceId: string; since?: string }
  | { type: "unsubscribe"; workspaceId: string }
  | { type: "ping" };

export interface ReadyMessage {
  type: "ready";
  userId: string;
  /** When the credential expires (epoch ms); send `auth` again before then to stay connected. */
  expiresAt?: number;
}

export interface SubscribedMessage {
  type: "subscribed";
  workspaceId: string;
  /**
   * The history cannot vouch for events after `since` (trimmed, or lost when Redis or a single instance
   * restarted): nothing was replayed; refetch the workspace's state. Also sent on an open subscription
   * when this instance lost events for good while its Redis was away; live events follow either way.
   */
  gap?: true;
}

export interface UnsubscribedMessage {
  type: "unsubscribed";
  workspaceId: string;
  /** Set when the server ended the subscription: "removed" means the user left the workspace, or it was unshared from a guest's peer. */
  reason?: "removed";
}

export interface EventMessage {
  type: "event";
  workspaceId: string;
  /** Per-workspace, increasing decimal id; pass the last one seen as `since` to resume. */
  id: string;
  event: string;
  data: unknown;
  ts: number;
}

export interface ErrorMessage {
  type: "error";
  code: ErrorCode;
  message: string;
  workspaceId?: string;
  retryAfterMs?: number;
}

export interface PongMessage {
  type: "pong";
}

export type ServerMessage = ReadyMessage | SubscribedMessage | UnsubscribedMessage | EventMessage | ErrorMessage | PongMessage;
