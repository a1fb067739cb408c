// Opens many authenticated connections with a bounded number in flight, spread over several loopback
// source addresses (127.0.0.1, .2, …) so that the ~28k ephemeral ports of one address do not run out
// and a per-address limit on the server side sees several clients.
import type { Connector, PeerConnection } from "./connection.js";

export interface PoolOptions {
  url: string;
  tokens: readonly string[];
  connections: number;
  concurrency: number;
  sources: number;
  connector: Connector;
}

export interface Pool {
  connections: PeerConnection[];
  /** Each connection's time from opening to Socket.IO's connect (after the server's auth middleware). */
  connectMs: number[];
  seconds: number;
}

export const openPool = async (options: PoolOptions): Promise<Pool> => {
  const connections: PeerConnection[] = [];
  const connectMs: number[] = [];
  let next = 0;
  const lane = async () => {
    for (let index = next++; index < options.connections; index = next++) {
      const opened = performance.now();
      const token = options.tokens[index % options.tokens.length] ?? "";
      connections.push(await options.connector(options.url, token, `127.0.0.${1 + (index % options.sources)}`));
      connectMs.push(performance.now() - opened);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: options.concurrency }, lane));
  return { connections, connectMs, seconds: (performance.now() - started) / 1000 };
};

/** Connection i joins workspaces[i mod k], so k workspaces make rooms of connections / k. */
export const subscribeAll = (connections: readonly PeerConnection[], workspaces: readonly string[]) =>
  Promise.all(connections.map((connection, index) => connection.subscribe(workspaces[index % workspaces.length] ?? "")));
