// Calls, notifications and byte streams over one frame pipe, the same on both ends: the core drives an
// isolated plugin's child with it and the child answers through it. What arrives is untrusted on the
// core's end: a malformed frame or message ends the channel (its owner then ends the child).
import { isRecord } from "../../config/json-path";
import { TesseraError } from "../../errors/tessera-error";
import { CHUNK_SIZE, encodeFrame, FRAME, type Frame, FrameReader, WireError } from "./frames";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** An error as it crosses the wire: what a TesseraError shows a client, never its cause. */
export interface WireFailure {
  code: string;
  message: string;
  status?: number;
  path?: string;
  details?: Record<string, unknown>;
}

type Message =
  | { type: "call"; id: number; method: string; params: unknown }
  | { type: "reply"; id: number; ok: true; value: unknown }
  | { type: "reply"; id: number; ok: false; error: WireFailure }
  | { type: "notify"; method: string; params: unknown };

export type Handler = (params: unknown) => unknown;

/** When a batch of frames is written: after the current microtasks by default. */
export type Scheduler = (write: () => void) => void;

/** Which end this is: stream ids are even from the core and odd from the child, so they never clash. */
export type ChannelSide = "core" | "child";

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  timer?: ReturnType<typeof setTimeout>;
}

interface Incoming {
  controller?: ReadableStreamDefaultController<Uint8Array>;
  /** Chunks that arrived before anyone asked for the stream. */
  early: Uint8Array[];
  ended: boolean;
  aborted?: string;
}

const parseMessage = (payload: Uint8Array): Message => {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(payload));
  } catch {
    throw new WireError("a message is not UTF-8 JSON");
  }
  if (!isRecord(value)) throw new WireError("a message is not an object");
  const { type } = value;
  if (type === "call" && Number.isInteger(value.id) && typeof value.method === "string") return value as Message;
  if (type === "notify" && typeof value.method === "string") return value as Message;
  if (type === "reply" && Number.isInteger(value.id) && typeof value.ok === "boolean") {
    if (value.ok || (isRecord(value.error) && typeof value.error.code === "string" && typeof value.error.message === "string")) {
      return value as Message;
    }
  }
  throw new WireError(`a message of unknown shape (type ${JSON.stringify(type)})`);
};

export const toWireFailure = (error: unknown): WireFailure =>
  error instanceof TesseraError
    ? { code: error.code, message: error.message, status: error.status, path: error.path, details: error.details }
    : { code: "ERR_INTERNAL", message: "Internal error", status: 500 };

export const fromWireFailure = (failure: WireFailure): TesseraError =>
  new TesseraError(failure.code, failure.message, {
    status: failure.status ?? 500,
    path: failure.path,
    details: failure.details,
  });

const joinFrames = (frames: Uint8Array[]): Uint8Array => {
  let length = 0;
  for (const frame of frames) length += frame.length;
  const joined = new Uint8Array(length);
  let offset = 0;
  for (const frame of frames) {
    joined.set(frame, offset);
    offset += frame.length;
  }
  return joined;
};

export class Channel {
  private readonly handlers = new Map<string, Handler>();
  private readonly pending = new Map<number, Pending>();
  private readonly incoming = new Map<number, Incoming>();
  private readonly outgoing = new Map<number, ReadableStreamDefaultReader<Uint8Array>>();
  private nextCall = 1;
  private nextStream: number;
  /** Frames waiting for the next write, and the promise that write settles. */
  private batch: Uint8Array[] = [];
  private batchWritten?: Promise<void>;
  private writing: Promise<void> = Promise.resolve();
  private closed?: Error;

  /**
   * `schedule` decides how long frames gather before a write: the core passes setImmediate, so the frames
   * of every request its event loop took in one turn leave in one write.
   */
  constructor(
    private readonly write: (bytes: Uint8Array) => void | Promise<void>,
    side: ChannelSide,
    private readonly schedule: Scheduler = queueMicrotask,
  ) {
    this.nextStream = side === "core" ? 2 : 1;
  }

  /** Registers what answers `method` (a call's reply is its return value, or its throw). */
  handle(method: string, handler: Handler): void {
    this.handlers.set(method, handler);
  }

  call(method: string, params: unknown, timeoutMs?: number): Promise<unknown> {
    if (this.closed) return Promise.reject(this.closed);
    const id = this.nextCall++;
    return new Promise((resolve, reject) => {
      const pending: Pending = { resolve, reject };
      if (timeoutMs !== undefined) {
        pending.timer = setTimeout(() => {
          this.pending.delete(id);
          reject(new TesseraError("ERR_PLUGIN_TIMEOUT", `No answer to ${method} within ${timeoutMs} ms`, { status: 504 }));
        }, timeoutMs);
      }
      this.pending.set(id, pending);
      this.send({ type: "call", id, method, params }).catch(() => undefined);
    });
  }

  notify(method: string, params: unknown): void {
    if (!this.closed) this.send({ type: "notify", method, params }).catch(() => undefined);
  }

  /** Sends a body as a stream; name the returned id in a message sent right after (chunks follow it). */
  sendStream(body: ReadableStream<Uint8Array>): number {
    const id = this.nextStream;
    this.nextStream += 2;
    const reader = body.getReader();
    this.outgoing.set(id, reader);
    queueMicrotask(() => void this.pump(id, reader));
    return id;
  }

  /** The stream the peer named `id`; its chunks may already have arrived. */
  receiveStream(id: number): ReadableStream<Uint8Array> {
    const entry = this.entry(id);
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        for (const chunk of entry.early) controller.enqueue(chunk);
        entry.early = [];
        if (entry.aborted !== undefined) controller.error(new Error(entry.aborted));
        else if (entry.ended) controller.close();
        else entry.controller = controller;
        if (entry.ended || entry.aborted !== undefined) this.incoming.delete(id);
      },
      cancel: () => {
        this.incoming.delete(id);
        this.frame(FRAME.abort, id, encoder.encode("cancelled")).catch(() => undefined);
      },
    });
  }

  /** Reads the peer until its output ends; rejects (and closes) on a malformed frame or message. */
  async run(source: AsyncIterable<Uint8Array>): Promise<void> {
    try {
      const reader = new FrameReader();
      const receive = (frame: Frame) => this.receive(frame);
      for await (const chunk of source) reader.push(chunk, receive);
      reader.end();
      this.close(new WireError("the peer closed its output"));
    } catch (error) {
      this.close(error instanceof Error ? error : new WireError(String(error)));
      throw error;
    }
  }

  /** Fails every pending call and open stream; later calls reject at once. */
  close(reason: Error): void {
    if (this.closed) return;
    this.closed = reason;
    for (const pending of this.pending.values()) {
      if (pending.timer) clearTimeout(pending.timer);
      pending.reject(reason);
    }
    this.pending.clear();
    for (const entry of this.incoming.values()) entry.controller?.error(reason);
    this.incoming.clear();
    for (const reader of this.outgoing.values()) reader.cancel(reason).catch(() => undefined);
    this.outgoing.clear();
  }

  get isClosed(): boolean {
    return this.closed !== undefined;
  }

  private receive(frame: Frame): void {
    if (frame.kind === FRAME.message) {
      this.dispatch(parseMessage(frame.payload));
      return;
    }
    if (frame.kind === FRAME.abort && this.outgoing.has(frame.id)) {
      this.outgoing
        .get(frame.id)
        ?.cancel("the peer cancelled")
        .catch(() => undefined);
      this.outgoing.delete(frame.id);
      return;
    }
    const entry = this.entry(frame.id);
    if (frame.kind === FRAME.chunk) {
      if (entry.controller) entry.controller.enqueue(frame.payload);
      else entry.early.push(frame.payload);
      return;
    }
    if (frame.kind === FRAME.end) entry.ended = true;
    else entry.aborted = new TextDecoder().decode(frame.payload) || "aborted";
    if (entry.controller) {
      if (entry.aborted !== undefined) entry.controller.error(new Error(entry.aborted));
      else entry.controller.close();
      this.incoming.delete(frame.id);
    }
  }

  private dispatch(message: Message): void {
    if (message.type === "reply") {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      if (pending.timer) clearTimeout(pending.timer);
      if (message.ok) pending.resolve(message.value);
      else pending.reject(fromWireFailure(message.error));
      return;
    }
    const handler = this.handlers.get(message.method);
    if (message.type === "notify") {
      if (handler)
        Promise.resolve()
          .then(() => handler(message.params))
          .catch(() => undefined);
      return;
    }
    const { id } = message;
    if (!handler) {
      const error: WireFailure = { code: "ERR_ISOLATION_PROTOCOL", message: `Unknown method ${message.method}`, status: 500 };
      this.send({ type: "reply", id, ok: false, error }).catch(() => undefined);
      return;
    }
    Promise.resolve()
      .then(() => handler(message.params))
      .then(
        (value) => this.send({ type: "reply", id, ok: true, value: value ?? null }),
        (error) => this.send({ type: "reply", id, ok: false, error: toWireFailure(error) }),
      )
      .catch(() => undefined);
  }

  private entry(id: number): Incoming {
    let entry = this.incoming.get(id);
    if (!entry) {
      entry = { early: [], ended: false };
      this.incoming.set(id, entry);
    }
    return entry;
  }

  private async pump(id: number, reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        for (let offset = 0; offset < value.length; offset += CHUNK_SIZE) {
          await this.frame(FRAME.chunk, id, value.subarray(offset, offset + CHUNK_SIZE));
        }
      }
      if (this.outgoing.delete(id)) await this.frame(FRAME.end, id);
    } catch (error) {
      if (this.outgoing.delete(id)) await this.frame(FRAME.abort, id, encoder.encode(String(error))).catch(() => undefined);
    }
  }

  private send(message: Message): Promise<void> {
    return this.frame(FRAME.message, 0, encoder.encode(JSON.stringify(message)));
  }

  /**
   * Writes in order. Frames made before the scheduled write go out in one write, after the write
   * before them: a syscall per frame is what a busy channel would otherwise spend its time on. The promise
   * settles when the frame is written, which is the channel's only back-pressure.
   */
  private frame(kind: (typeof FRAME)[keyof typeof FRAME], id: number, payload?: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(this.closed);
    this.batch.push(encodeFrame(kind, id, payload));
    this.batchWritten ??= new Promise<void>((resolve) => this.schedule(resolve)).then(() => {
      const frames = this.batch;
      this.batch = [];
      this.batchWritten = undefined;
      const bytes = frames.length === 1 ? (frames[0] as Uint8Array) : joinFrames(frames);
      this.writing = this.writing.then(() => this.write(bytes));
      return this.writing;
    });
    return this.batchWritten;
  }
}
