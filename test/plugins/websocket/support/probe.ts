// A test WebSocket client that records every frame and the close, with helpers to await them.
import type { ServerMessage } from "../../../../plugins/websocket/protocol";

export interface Closed {
  code: number;
  reason: string;
  /** performance.now() when the close arrived. */
  at: number;
}

export interface Probe {
  socket: WebSocket;
  /** performance.now() when the socket opened. */
  openedAt: number;
  messages: ServerMessage[];
  closed: Promise<Closed>;
  send(message: object | string): void;
  /** The next frame (after those already taken) matching `type`, within `timeoutMs`. */
  next<T extends ServerMessage["type"]>(type: T, timeoutMs?: number): Promise<Extract<ServerMessage, { type: T }>>;
  /** Resolves true if no frame of `type` arrives within `ms`. */
  quiet(type: ServerMessage["type"], ms: number): Promise<boolean>;
  close(): void;
}

export interface ProbeOptions {
  headers?: Record<string, string>;
  /** For wss:// to a server whose certificate no system CA signed (a test's own). */
  tls?: { ca: string };
}

/** Opens a socket; rejects when the upgrade is refused. */
export const openProbe = async (url: string, options: ProbeOptions = {}): Promise<Probe> => {
  // Bun's WebSocket takes `{ headers }`, an extension the DOM typings (which win in this project) don't declare.
  const socket: WebSocket = Reflect.construct(WebSocket, [url, { headers: options.headers ?? {}, tls: options.tls }]);
  const messages: ServerMessage[] = [];
  let taken = 0;
  const waiters = new Set<() => void>();
  socket.onmessage = (message) => {
    messages.push(JSON.parse(String(message.data)));
    for (const wake of waiters) wake();
  };
  const closed = new Promise<Closed>((resolve) => {
    socket.addEventListener("close", (event) => {
      resolve({ code: event.code, reason: event.reason, at: performance.now() });
      for (const wake of waiters) wake();
    });
  });
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener("open", () => resolve());
    socket.addEventListener("error", () => reject(new Error(`WebSocket to ${url} failed to open`)));
  });
  const openedAt = performance.now();

  const take = (type: string): ServerMessage | undefined => {
    for (let i = taken; i < messages.length; i++) {
      const message = messages[i];
      if (message?.type === type) {
        taken = i + 1;
        return message;
      }
    }
    return undefined;
  };

  const next = <T extends ServerMessage["type"]>(type: T, timeoutMs = 3000) =>
    new Promise<Extract<ServerMessage, { type: T }>>((resolve, reject) => {
      const check = () => {
        const found = take(type);
        if (found && found.type === type) {
          cleanup();
          resolve(found as Extract<ServerMessage, { type: T }>);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no "${type}" frame within ${timeoutMs} ms; got ${JSON.stringify(messages.slice(taken))}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  return {
    socket,
    openedAt,
    messages,
    closed,
    send: (message) => socket.send(typeof message === "string" ? message : JSON.stringify(message)),
    next,
    quiet: async (type, ms) => {
      await Bun.sleep(ms);
      return take(type) === undefined;
    },
    close: () => socket.close(),
  };
};

/** An upgrade attempt through fetch, to read the HTTP refusal (status, problem+json) a WebSocket client hides. */
export const attemptUpgrade = (url: string, headers: Record<string, string> = {}) =>
  fetch(url.replace(/^ws/, "http"), {
    headers: {
      upgrade: "websocket",
      connection: "Upgrade",
      "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      "sec-websocket-version": "13",
      ...headers,
    },
  });
