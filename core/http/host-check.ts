// Requests without a usable Host: Bun gives such a request (HTTP/1.0 without Host, an empty Host, one
// with a `/`, `?`, `@` or space in it) the bare path as its URL, and routes it by that path all the
// same. Every guard reads its path from the URL, so one without an authority is refused before routing.
import { TesseraError } from "../errors/tessera-error";

const SLASH = 0x2f;

/** Throws 400 ERR_BAD_HOST when the request URL has no scheme and host (hot path: one comparison). */
export const requireHost = (url: string): void => {
  if (url.charCodeAt(0) !== SLASH) return;
  throw new TesseraError("ERR_BAD_HOST", "Send a valid Host header with the request", { status: 400 });
};
