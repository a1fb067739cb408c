// The Idempotency-Key request header (IETF httpapi draft): a client-chosen string that makes a retried
// POST return the job the first attempt created. Quoted (structured-field) and bare forms are both taken.
import { badRequest } from "tessera/plugin";

const VALID = /^[\x21-\x7e]{1,255}$/;

/** The key, or null when the request has none; 400 when it is not a usable key (repeated headers included). */
export const idempotencyKeyOf = (request: Request): string | null => {
  const header = request.headers.get("idempotency-key");
  if (header === null) return null;
  const key = header.length >= 2 && header.startsWith('"') && header.endsWith('"') ? header.slice(1, -1) : header;
  if (!VALID.test(key) || key.includes('"')) {
    throw badRequest("Idempotency-Key must be one header of 1 to 255 visible ASCII characters, e.g. a UUID", {
      path: "Idempotency-Key",
    });
  }
  return key;
};
