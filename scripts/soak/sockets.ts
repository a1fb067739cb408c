// The soak's WebSockets: authenticated and subscribed, spread over the instances and over 127.0.0.x
// source addresses (per-address limits and ephemeral ports), counting every event they receive.
// One socket per room on each instance is a probe that decodes its events to time publish→deliver;
// the rest only count, so the client stays cheap next to the servers it loads.
import { type LoadConnection, tesseraDialect } from "../bench/peers/load/dialects";

export interface SocketOptions {
  /** The instances' base URLs (http://…); socket i joins room i mod rooms on instance ⌊i / rooms⌋ mod instances. */
  urls: string[];
  tokens: string[];
  workspaces: string[];
  count: number;
  sources: number;
  concurrency: number;
  /** When each event was asked for, by `title event`: set by the HTTP load before it sends the request. */
  sentAt: Map<string, number>;
}

export interface SocketPool {
  open(): number;
  delivered(): number;
  /** Sockets the server closed, by close code. */
  closes: Map<number, number>;
  /** How many sockets are in the room of `workspaceId`. */
  roomSize(workspaceId: string): number;
  /** publish→deliver of the probes' events since the last call, in ms. */
  takeLatencies(): number[];
  closeAll(): Promise<void>;
}

interface ProbedEvent {
  event?: string;
  data?: { title?: string };
}

export const openSockets = async (options: SocketOptions, progress: (opened: number) => void): Promise<SocketPool> => {
  const { urls, tokens, workspaces, count, sources, sentAt } = options;
  const sockets: LoadConnection[] = [];
  const closes = new Map<number, number>();
  const sizes = new Map<string, number>();
  let delivered = 0;
  let closed = 0;
  let latencies: number[] = [];
  const probe = (data: Buffer, start: number, end: number) => {
    delivered++;
    const { event, data: job } = JSON.parse(data.toString("utf8", start, end)) as ProbedEvent;
    const at = sentAt.get(`${job?.title} ${event}`);
    if (at !== undefined) latencies.push(performance.now() - at);
  };

  let next = 0;
  const lane = async () => {
    for (let index = next++; index < count; index = next++) {
      const room = index % workspaces.length;
      const workspaceId = workspaces[room] ?? "";
      const instance = Math.floor(index / workspaces.length) % urls.length;
      const url = new URL(`${urls[instance]?.replace(/^http/, "ws")}/ws`);
      const token = tokens[index % tokens.length] ?? "";
      const socket = await tesseraDialect(url, token, `127.0.0.${1 + (index % sources)}`);
      await socket.subscribe(workspaceId);
      socket.onEvent(index < workspaces.length * urls.length ? probe : () => delivered++);
      socket.onClose((code) => {
        closed++;
        closes.set(code, (closes.get(code) ?? 0) + 1);
      });
      sizes.set(workspaceId, (sizes.get(workspaceId) ?? 0) + 1);
      sockets.push(socket);
      if (sockets.length % 1000 === 0) progress(sockets.length);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, lane));

  return {
    open: () => sockets.length - closed,
    delivered: () => delivered,
    closes,
    roomSize: (workspaceId) => sizes.get(workspaceId) ?? 0,
    takeLatencies() {
      const taken = latencies;
      latencies = [];
      return taken;
    },
    async closeAll() {
      await Promise.all(sockets.splice(0).map((socket) => socket.close()));
    },
  };
};
