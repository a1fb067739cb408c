// Reads a body up to a byte limit and no further: a declared Content-Length over it is refused unread,
// and the stream is cancelled as soon as it passes the limit, so a chunked answer that never ends costs
// at most the limit in memory and the timeout in time.
import { TesseraError } from "../errors/tessera-error";

export interface ReadCappedOptions {
  /** Gives up on a body still arriving after this long (ctx.fetch's own timeout also ends it). */
  timeoutMs?: number;
  /** The error past the limit; by default ERR_FETCH_TOO_LARGE (502). */
  tooLarge?: () => Error;
}

/** What readCapped reads: a Response (or a Request, for an inbound body). */
export interface Body {
  body: ReadableStream<Uint8Array> | null;
  headers: Headers;
}

const defaultTooLarge = (maxBytes: number) => () =>
  new TesseraError("ERR_FETCH_TOO_LARGE", `The answer is larger than ${maxBytes} bytes`, {
    status: 502,
    details: { maxBytes },
  });

const timedOut = (cause?: unknown) =>
  new TesseraError("ERR_FETCH_TIMEOUT", "The answer did not arrive in time", { status: 504, cause });

// The refusal is already decided and is the error that matters; a stream that fails to cancel adds nothing to it.
const cancelQuietly = (cancel: () => Promise<void>) => cancel().catch(() => {});

const isAbort = (error: unknown) => error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");

const concat = (chunks: readonly Uint8Array[], size: number): Uint8Array<ArrayBuffer> => {
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
};

/**
 * The body's bytes, at most `maxBytes` of them. Past the limit: `tooLarge()` (default
 * ERR_FETCH_TOO_LARGE); too slow or aborted: ERR_FETCH_TIMEOUT. Either way the stream is cancelled.
 */
export const readCapped = async (
  message: Body,
  maxBytes: number,
  options: ReadCappedOptions = {},
): Promise<Uint8Array<ArrayBuffer>> => {
  const tooLarge = options.tooLarge ?? defaultTooLarge(maxBytes);
  const { body } = message;
  const declared = message.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) {
    if (body) await cancelQuietly(() => body.cancel());
    throw tooLarge();
  }
  if (!body) return new Uint8Array();
  const reader = body.getReader();
  let expired = false;
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          expired = true;
          void cancelQuietly(() => reader.cancel());
        }, options.timeoutMs);
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      size += chunk.value.byteLength;
      if (size > maxBytes) {
        await cancelQuietly(() => reader.cancel());
        throw tooLarge();
      }
      chunks.push(chunk.value);
    }
  } catch (error) {
    if (isAbort(error)) throw timedOut(error);
    throw error;
  } finally {
    clearTimeout(timer);
  }
  // A cancelled reader reports done, not an error: the body was cut short by the timer.
  if (expired) throw timedOut();
  return concat(chunks, size);
};
