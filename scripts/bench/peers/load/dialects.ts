// How each contender authenticates a connection and joins a workspace's room, on a RawSocket:
// Tessera's contract (bearer token at upgrade, `ready`, `subscribe` → `subscribed`), which the raw Bun
// contender speaks too, and Socket.IO 4's (Engine.IO open, CONNECT with the token in `auth`, an acked
// `subscribe` event).
import { RawSocket } from "./raw-socket.js";

export interface LoadConnection {
  /** Joins the workspace's room; rejects when the server refuses. */
  subscribe(workspaceId: string): Promise<void>;
  /** Every event frame; its text is `data` from `start` to `end` (most listeners only count). */
  onEvent(listener: (data: Buffer, start: number, end: number) => void): void;
  /** The server closed the connection (its close code, or 1006 when the TCP connection dropped). */
  onClose(listener: (code: number) => void): void;
  /** Closes with the handshake; resolves once the server has ended the TCP connection. */
  close(): Promise<void>;
}

export type Dialect = (url: URL, token: string, localAddress: string) => Promise<LoadConnection>;

/** Settles one request/answer exchange at a time: the load client never overlaps them on a connection. */
class Waiter {
  private settle: ((error?: Error) => void) | undefined;

  wait(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.settle = (error) => (error ? reject(error) : resolve());
    });
  }

  done(error?: Error): void {
    const settle = this.settle;
    this.settle = undefined;
    settle?.(error);
  }
}

const connection = (socket: RawSocket, waiter: Waiter, subscribeFrame: (workspaceId: string) => string): LoadConnection => ({
  subscribe(workspaceId) {
    const answered = waiter.wait();
    socket.send(subscribeFrame(workspaceId));
    return answered;
  },
  onEvent: (listener) => {
    socket.onEvent = listener;
  },
  onClose: (listener) => {
    socket.onClose = listener;
  },
  close: () => socket.close(),
});

const target = (url: URL) => ({ host: url.hostname, port: Number(url.port) });

export const tesseraDialect: Dialect = async (url, token, localAddress) => {
  const waiter = new Waiter();
  const ready = waiter.wait();
  const socket = await RawSocket.open(
    {
      ...target(url),
      path: url.pathname,
      headers: { Authorization: `Bearer ${token}` },
      localAddress,
      eventPrefix: Buffer.from('{"type":"event"'),
    },
    (raw) => {
      raw.onText = (text) => {
        if (text.startsWith('{"type":"ready"') || text.startsWith('{"type":"subscribed"')) waiter.done();
        else if (text.startsWith('{"type":"error"')) waiter.done(new Error(text));
      };
      raw.onClose = (code) => waiter.done(new Error(`closed with ${code} before ready`));
    },
  );
  await ready;
  return connection(socket, waiter, (workspaceId) => JSON.stringify({ type: "subscribe", workspaceId }));
};

// Engine.IO packet types (first character); Socket.IO's inside a "4" (message) packet.
const ENGINE_OPEN = "0";
const ENGINE_PING = "2";
const ENGINE_PONG = "3";
const SOCKET_CONNECT = "40";
const SOCKET_CONNECT_ERROR = "44";
const SOCKET_ACK = "43";

export const socketIoDialect: Dialect = async (url, token, localAddress) => {
  const waiter = new Waiter();
  const connected = waiter.wait();
  let ackId = 0;
  const socket = await RawSocket.open(
    {
      ...target(url),
      path: "/socket.io/?EIO=4&transport=websocket",
      headers: {},
      localAddress,
      // "42": a Socket.IO EVENT; the peer sends no other event than `event`.
      eventPrefix: Buffer.from("42["),
    },
    (raw) => {
      raw.onText = (text) => {
        if (text === ENGINE_PING) raw.send(ENGINE_PONG);
        else if (text.startsWith(ENGINE_OPEN)) raw.send(`${SOCKET_CONNECT}${JSON.stringify({ token })}`);
        else if (text.startsWith(SOCKET_CONNECT_ERROR)) waiter.done(new Error(`connection refused: ${text.slice(2)}`));
        else if (text.startsWith(SOCKET_CONNECT)) waiter.done();
        else if (text.startsWith(SOCKET_ACK)) {
          const [reply] = JSON.parse(text.slice(2 + String(ackId).length)) as [{ ok: boolean; error?: string }];
          waiter.done(reply.ok ? undefined : new Error(`subscribe refused: ${reply.error}`));
        }
      };
      raw.onClose = (code) => waiter.done(new Error(`closed with ${code} before connect`));
    },
  );
  await connected;
  return connection(socket, waiter, (workspaceId) => {
    ackId += 1;
    return `42${ackId}${JSON.stringify(["subscribe", { workspaceId }])}`;
  });
};

export const dialects: Record<string, Dialect> = { tessera: tesseraDialect, "socket.io": socketIoDialect };
