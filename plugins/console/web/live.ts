// The page's one WebSocket, through the websocket plugin's typed client: a fresh single-use ticket
// before each connect (the session cookie can't travel on the socket), resume from the last event
// seen, and one workspace followed at a time. After a reconnect or a gap the view refetches its
// lists, since events missed while the socket was down are not all replayable.
import { TesseraSocket } from "../../websocket/client";
import type { EventMessage } from "../../websocket/protocol";
import { ApiError, api } from "./api";

export type LiveStatus = "connecting" | "open" | "reconnecting" | "closed" | "unavailable" | "signed-out" | "removed";

export interface Follower {
  onEvent(event: EventMessage): void;
  /** Refetch: the stream may have missed events. */
  onResync(): void;
  onStatus(status: LiveStatus): void;
}

const ticket = async (): Promise<string> => {
  const body = await api("POST", "/ws/ticket");
  if (typeof body !== "object" || body === null || !("ticket" in body) || typeof body.ticket !== "string") {
    throw new ApiError(500, "ERR_TICKET", "POST /ws/ticket answered without a ticket");
  }
  return body.ticket;
};

export class LiveFeed {
  private readonly socket: TesseraSocket;
  private follower: Follower | undefined;
  private followed: string | undefined;
  private status: LiveStatus = "connecting";
  private opened = false;
  private ended = false;

  constructor(path: string) {
    const url = new URL(path, location.href);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    this.socket = new TesseraSocket({
      url,
      ticket: async () => {
        try {
          return await ticket();
        } catch (error) {
          // No websocket plugin, or the session ended: retrying can't help.
          if (error instanceof ApiError && error.status === 404) queueMicrotask(() => this.end("unavailable"));
          if (error instanceof ApiError && error.status === 401) queueMicrotask(() => this.end("signed-out"));
          throw error;
        }
      },
      onEvent: (event) => {
        if (event.workspaceId === this.followed) this.follower?.onEvent(event);
      },
      onGap: (workspaceId) => {
        if (workspaceId === this.followed) this.follower?.onResync();
      },
      onRemoved: (workspaceId) => {
        if (workspaceId === this.followed) this.follower?.onStatus("removed");
      },
      onStatus: (status) => this.setStatus(status),
    });
  }

  /** Follows `workspaceId` (dropping the previous one); `follower` hears its events. */
  follow(workspaceId: string, follower: Follower): void {
    if (this.followed !== workspaceId) {
      if (this.followed !== undefined) this.socket.unsubscribe(this.followed);
      this.socket.subscribe(workspaceId);
      this.followed = workspaceId;
    }
    this.follower = follower;
    follower.onStatus(this.status);
  }

  stopFollowing(): void {
    if (this.followed !== undefined) this.socket.unsubscribe(this.followed);
    this.followed = undefined;
    this.follower = undefined;
  }

  private end(status: "unavailable" | "signed-out"): void {
    this.socket.close();
    this.setStatus(status);
    this.ended = true;
  }

  private setStatus(status: LiveStatus): void {
    if (this.ended) return;
    this.status = status;
    this.follower?.onStatus(status);
    if (status !== "open") return;
    if (this.opened) this.follower?.onResync();
    this.opened = true;
  }
}
