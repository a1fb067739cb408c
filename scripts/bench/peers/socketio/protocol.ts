// The events the Socket.IO peer exchanges with its clients, and the body of its publish trigger. The
// event body has the fields of Tessera's WebSocket `event` message; Socket.IO's event name stands in for `type`.

export interface WorkspaceEvent {
  workspaceId: string;
  id: string;
  event: string;
  data: unknown;
  ts: number;
}

export type SubscribeReply = { ok: true } | { ok: false; error: "forbidden" | "bad_request" };

export interface ClientToServerEvents {
  subscribe(payload: { workspaceId?: unknown }, ack: (reply: SubscribeReply) => void): void;
}

export interface ServerToClientEvents {
  event(message: WorkspaceEvent): void;
}

/** The trigger's body: `count` copies of one event to a workspace's room, so one request drives a burst. */
export interface PublishRequest {
  workspaceId: string;
  event: string;
  data: unknown;
  count?: number;
}

export const roomOf = (workspaceId: string) => `workspace:${workspaceId}`;
