// What the load client needs of one authenticated connection, whichever client library opens it.

export interface PeerConnection {
  /** Joins the workspace's room; rejects when the server refuses. */
  subscribe(workspaceId: string): Promise<void>;
  /** Called once per `event` delivered to this connection. */
  onEvent(listener: () => void): void;
  close(): void;
}

/** Opens one connection authenticated by a session token, from the given loopback source address. */
export type Connector = (url: string, token: string, localAddress: string) => Promise<PeerConnection>;
