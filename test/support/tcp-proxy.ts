// A TCP relay between a server under test and a service it depends on (PostgreSQL), to make the network
// fail the ways it does in production: pass, drop (close every connection), refuse (nothing listens)
// and stall (connections stay open, nothing passes: a partition). What a stall held back is delivered
// when it passes again, as TCP's retransmissions would after a partition heals.
import type { Socket, TCPSocketListener } from "bun";

export type ProxyMode = "pass" | "stall" | "refuse";

export interface TcpProxy {
  port: number;
  /** `url` with its host and port replaced by the proxy's. */
  urlFor(url: string): string;
  pass(): void;
  stall(): void;
  /** Closes every open connection, both sides; new ones are still accepted. */
  drop(): void;
  /** Stops listening: connecting is refused until `pass`. Open connections are dropped. */
  refuse(): void;
  close(): void;
}

interface Side {
  socket?: Socket<Pipe>;
  /** Bytes not yet written to this side: held while stalled, or waiting for the socket to drain. */
  queued: Uint8Array[];
}

interface Pipe {
  client: Side;
  upstream: Side;
}

const flush = (side: Side) => {
  const { socket } = side;
  if (!socket) return;
  while (side.queued.length > 0) {
    const chunk = side.queued[0] as Uint8Array;
    const written = socket.write(chunk);
    if (written < chunk.byteLength) {
      side.queued[0] = chunk.subarray(Math.max(written, 0));
      return;
    }
    side.queued.shift();
  }
};

export const startTcpProxy = async (target: { hostname: string; port: number }, port = 0): Promise<TcpProxy> => {
  let mode: ProxyMode = "pass";
  const pipes = new Set<Pipe>();

  const send = (side: Side, chunk: Uint8Array) => {
    side.queued.push(new Uint8Array(chunk));
    if (mode === "pass") flush(side);
  };
  const closePipe = (pipe: Pipe) => {
    pipes.delete(pipe);
    pipe.client.socket?.end();
    pipe.upstream.socket?.end();
  };

  const connectUpstream = async (pipe: Pipe) => {
    try {
      pipe.upstream.socket = await Bun.connect<Pipe>({
        ...target,
        data: pipe,
        socket: {
          data: (_, chunk) => send(pipe.client, chunk),
          drain: () => {
            if (mode === "pass") flush(pipe.client);
          },
          close: () => closePipe(pipe),
          error: () => closePipe(pipe),
        },
      });
      if (mode === "pass") flush(pipe.upstream);
    } catch {
      closePipe(pipe);
    }
  };

  const listen = (at: number): TCPSocketListener<Pipe> =>
    Bun.listen<Pipe>({
      hostname: "127.0.0.1",
      port: at,
      socket: {
        open(client) {
          const pipe: Pipe = { client: { socket: client, queued: [] }, upstream: { queued: [] } };
          client.data = pipe;
          pipes.add(pipe);
          void connectUpstream(pipe);
        },
        data: (client, chunk) => send(client.data.upstream, chunk),
        drain: (client) => {
          if (mode === "pass") flush(client.data.client);
        },
        close: (client) => closePipe(client.data),
        error: (client) => closePipe(client.data),
      },
    });

  let listener: TCPSocketListener<Pipe> | undefined = listen(port);
  const bound = listener.port;
  const dropAll = () => {
    for (const pipe of [...pipes]) closePipe(pipe);
  };

  return {
    port: bound,
    urlFor(url) {
      const proxied = new URL(url);
      proxied.hostname = "127.0.0.1";
      proxied.port = String(bound);
      return proxied.toString();
    },
    pass() {
      mode = "pass";
      listener ??= listen(bound);
      for (const pipe of pipes) {
        flush(pipe.upstream);
        flush(pipe.client);
      }
    },
    stall() {
      mode = "stall";
    },
    drop: dropAll,
    refuse() {
      mode = "refuse";
      listener?.stop(true);
      listener = undefined;
      dropAll();
    },
    close() {
      listener?.stop(true);
      listener = undefined;
      dropAll();
    },
  };
};
