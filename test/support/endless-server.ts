// A local HTTP server whose answers never end: paths under /endless stream 64 KiB chunks as fast as they
// are read, paths under /trickle a byte every 100 ms. It counts what each path sent, so a test can show a reader stopped early.
// Any other path is answered by `routes`, for tests that need a well-behaved endpoint beside them.
const CHUNK = new Uint8Array(64 * 1024).fill(32);

export interface EndlessServer {
  /** host:port, for a net grant. */
  host: string;
  url(path: string): string;
  /** Bytes a path's streams enqueued so far. */
  sent(path: string): number;
  /** Resolves once a stream on `path` was cancelled by its reader. */
  cancelled(path: string): Promise<void>;
  stop(): void;
}

export const endlessServer = (routes: Record<string, () => Response> = {}): EndlessServer => {
  const sent = new Map<string, number>();
  const cancels = new Map<string, PromiseWithResolvers<void>>();
  const cancelOf = (path: string) => {
    const known = cancels.get(path) ?? Promise.withResolvers<void>();
    cancels.set(path, known);
    return known;
  };
  const stream = (path: string, chunk: Uint8Array, delayMs: number) =>
    new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (delayMs > 0) await Bun.sleep(delayMs);
        sent.set(path, (sent.get(path) ?? 0) + chunk.byteLength);
        controller.enqueue(chunk);
      },
      cancel() {
        cancelOf(path).resolve();
      },
    });
  const server = Bun.serve({
    port: 0,
    fetch(request) {
      const path = new URL(request.url).pathname;
      const route = routes[path];
      if (route) return route();
      const headers = { "content-type": "application/json" };
      if (path.startsWith("/endless")) return new Response(stream(path, CHUNK, 0), { headers });
      if (path.startsWith("/trickle")) return new Response(stream(path, new Uint8Array([32]), 100), { headers });
      return new Response("not found", { status: 404 });
    },
  });
  return {
    host: `127.0.0.1:${server.port}`,
    url: (path) => `http://127.0.0.1:${server.port}${path}`,
    sent: (path) => sent.get(path) ?? 0,
    cancelled: (path) => cancelOf(path).promise,
    stop: () => server.stop(true),
  };
};
