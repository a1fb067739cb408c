// A test Server-Sent Events client over fetch: parses the stream as the WHATWG spec says an
// EventSource does (fields, comments, retry) and records everything, with helpers to await it.

export interface StreamEvent {
  /** "message" when the frame named none, as in EventSource. */
  event: string;
  id: string | undefined;
  data: string;
}

export interface EventStreamProbe {
  response: Response;
  events: StreamEvent[];
  comments: string[];
  retry: number | undefined;
  /** Resolves when the server ends the stream: "closed" for a clean end, "errored" for a cut one. */
  ended: Promise<"closed" | "errored">;
  /** The next event (after those already taken) of type `event`, within `timeoutMs`. */
  next(event?: string, timeoutMs?: number): Promise<StreamEvent>;
  /** Resolves once a comment line has arrived (heartbeats). */
  comment(timeoutMs?: number): Promise<string>;
  /** Disconnects, as a client that goes away. */
  close(): void;
}

/** Feeds text to a parser and returns the events and comments it completed. */
export const sseParser = () => {
  let buffer = "";
  let data: string[] = [];
  let event = "";
  let id: string | undefined;
  const out = { events: [] as StreamEvent[], comments: [] as string[], retry: undefined as number | undefined };
  const line = (text: string) => {
    if (text === "") {
      if (data.length > 0) out.events.push({ event: event || "message", id, data: data.join("\n") });
      data = [];
      event = "";
      return;
    }
    if (text.startsWith(":")) {
      out.comments.push(text.slice(1).trim());
      return;
    }
    const colon = text.indexOf(":");
    const field = colon === -1 ? text : text.slice(0, colon);
    const value = colon === -1 ? "" : text.slice(colon + 1).replace(/^ /, "");
    if (field === "data") data.push(value);
    else if (field === "event") event = value;
    else if (field === "id") id = value;
    else if (field === "retry" && /^\d+$/.test(value)) out.retry = Number(value);
  };
  return {
    out,
    feed(text: string) {
      buffer += text;
      const lines = buffer.split(/\r\n|\r|\n/);
      buffer = lines.pop() ?? "";
      for (const each of lines) line(each);
    },
  };
};

/** GETs `url` as an event stream; the response is returned whatever its status (check it). */
export const openEventStream = async (url: string, headers: Record<string, string> = {}): Promise<EventStreamProbe> => {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal: abort.signal });
  const parser = sseParser();
  const { out } = parser;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of waiters) waiter();
  };
  const read = async (): Promise<"closed" | "errored"> => {
    if (!response.body) return "closed";
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        parser.feed(chunk.value);
        wake();
      }
      return "closed";
    } catch {
      return "errored";
    } finally {
      wake();
    }
  };
  const ended = response.ok ? read() : Promise.resolve<"closed">("closed");
  let settled = false;
  void ended.then(() => {
    settled = true;
    wake();
  });
  let taken = 0;

  const waitFor = <T>(find: () => T | undefined, what: string, timeoutMs: number): Promise<T> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = find();
        if (found !== undefined) {
          done();
          resolve(found);
        } else if (settled) {
          done();
          reject(new Error(`the stream ended before ${what}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${what} within ${timeoutMs} ms; got ${JSON.stringify(out.events)}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  return {
    response,
    events: out.events,
    comments: out.comments,
    get retry() {
      return out.retry;
    },
    ended,
    next(event = "message", timeoutMs = 5000) {
      return waitFor(
        () => {
          for (let i = taken; i < out.events.length; i++) {
            const found = out.events[i];
            if (found?.event === event) {
              taken = i + 1;
              return found;
            }
          }
          return undefined;
        },
        `a "${event}" event`,
        timeoutMs,
      );
    },
    comment(timeoutMs = 5000) {
      return waitFor(() => out.comments[0], "a comment", timeoutMs);
    },
    close: () => abort.abort(),
  };
};
