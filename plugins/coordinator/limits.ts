// Caps on what a job stores. JSON documents are measured serialized, in bytes, as they will be stored.
import { TesseraError } from "tessera/plugin";

export const MAX_DOCUMENT_BYTES = 64 * 1024;

/** The JSON text to store for `value` (null for absent); 413 when it is over the cap. */
export const serializeDocument = (value: unknown, field: string): string | null => {
  if (value === undefined || value === null) return null;
  const text = JSON.stringify(value);
  if (Buffer.byteLength(text) > MAX_DOCUMENT_BYTES) {
    throw new TesseraError("ERR_BODY_TOO_LARGE", `${field} is larger than ${MAX_DOCUMENT_BYTES} bytes serialized`, {
      status: 413,
      path: `/${field}`,
    });
  }
  return text;
};
