// The isolated-plugin wire's frames: a fixed 9-byte header (length, kind, id) before each payload, so
// request and response bodies cross as raw bytes beside JSON messages, readable from any language.
// Runs under Bun (the core) and Deno (the child): web-standard APIs only.

/** Frame kinds. A message is UTF-8 JSON; the others carry one stream's bytes, its end, or its abort. */
export const FRAME = { message: 1, chunk: 2, end: 3, abort: 4 } as const;
export type FrameKind = (typeof FRAME)[keyof typeof FRAME];

export interface Frame {
  kind: FrameKind;
  /** The stream a chunk, end or abort belongs to; 0 for a message. */
  id: number;
  payload: Uint8Array;
}

/** kind (1 byte) + id (4 bytes) after the 4-byte length. */
const HEADER = 9;
/** A frame larger than this is a broken or hostile peer, not a large body: bodies cross in chunks. */
export const MAX_FRAME = 16 * 1024 * 1024;
/** Body chunks are cut to this size so one large body never holds up the messages behind it. */
export const CHUNK_SIZE = 64 * 1024;

export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WireError";
  }
}

const isKind = (value: number): value is FrameKind => value >= FRAME.message && value <= FRAME.abort;

export const encodeFrame = (kind: FrameKind, id: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array => {
  const bytes = new Uint8Array(HEADER + payload.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 5 + payload.length);
  view.setUint8(4, kind);
  view.setUint32(5, id);
  bytes.set(payload, HEADER);
  return bytes;
};

/**
 * Splits bytes into frames however they arrive; throws WireError on a malformed frame. Synchronous, so a
 * chunk holding many frames costs no promise per frame.
 */
export class FrameReader {
  private buffer: Uint8Array = new Uint8Array(0);

  /** Calls `onFrame` for each frame `chunk` completes. A payload is a view that stays valid. */
  push(chunk: Uint8Array, onFrame: (frame: Frame) => void): void {
    const buffer = this.buffer.length === 0 ? chunk : concat(this.buffer, chunk);
    const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    let offset = 0;
    while (buffer.length - offset >= 4) {
      const length = view.getUint32(offset);
      if (length < 5 || length > MAX_FRAME) throw new WireError(`frame length ${length} out of range`);
      if (buffer.length - offset < 4 + length) break;
      const kind = view.getUint8(offset + 4);
      if (!isKind(kind)) throw new WireError(`unknown frame kind ${kind}`);
      const id = view.getUint32(offset + 5);
      onFrame({ kind, id, payload: buffer.subarray(offset + HEADER, offset + 4 + length) });
      offset += 4 + length;
    }
    // A copy of the rest, so a chunk is never held whole for a few bytes of it.
    this.buffer = offset === buffer.length ? new Uint8Array(0) : buffer.slice(offset);
  }

  /** Throws when the stream ended inside a frame. */
  end(): void {
    if (this.buffer.length > 0) throw new WireError("stream ended inside a frame");
  }
}

/** The frames of a byte stream, for a reader that wants them one by one. */
export async function* readFrames(source: AsyncIterable<Uint8Array>): AsyncGenerator<Frame> {
  const reader = new FrameReader();
  for await (const chunk of source) {
    const frames: Frame[] = [];
    reader.push(chunk, (frame) => frames.push(frame));
    yield* frames;
  }
  reader.end();
}

const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
};
