// ctx.fetch: outbound HTTP restricted to granted hosts. Redirects are followed by hand so that every
// hop is checked again, and a timeout bounds the whole exchange.
import { PermissionDenied } from "../errors/permission-denied";
import { TesseraError } from "../errors/tessera-error";
import { netAllowed } from "./grants";

export interface ScopedFetchInit extends RequestInit {
  /** Whole exchange, redirects included; default 10 s. */
  timeoutMs?: number;
  maxRedirects?: number;
}

export type ScopedFetch = (input: string | URL, init?: ScopedFetchInit) => Promise<Response>;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export const createScopedFetch =
  (plugin: string, granted: readonly string[], transport: typeof fetch = fetch): ScopedFetch =>
  async (input, init = {}) => {
    const { timeoutMs = 10_000, maxRedirects = 5, ...rest } = init;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = rest.signal ? AbortSignal.any([rest.signal, timeout]) : timeout;
    let url = new URL(input);
    let request: RequestInit = { ...rest, redirect: "manual", signal };
    for (let hop = 0; ; hop++) {
      if (!netAllowed(url, granted)) throw new PermissionDenied(plugin, "net", url.host);
      let response: Response;
      try {
        response = await transport(url, request);
      } catch (cause) {
        if (timeout.aborted) {
          throw new TesseraError("ERR_FETCH_TIMEOUT", `${plugin}: request to ${url.host} timed out after ${timeoutMs} ms`, {
            status: 504,
            cause,
          });
        }
        throw cause;
      }
      const location = response.headers.get("location");
      if (!REDIRECTS.has(response.status) || !location) return response;
      if (hop >= maxRedirects) {
        throw new TesseraError("ERR_FETCH_REDIRECT", `${plugin}: more than ${maxRedirects} redirects from ${url.host}`, {
          status: 502,
        });
      }
      const next = new URL(location, url);
      const method = (request.method ?? "GET").toUpperCase();
      const becomesGet = response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST");
      const headers = new Headers(request.headers);
      // Credentials meant for one origin must not follow a redirect to another.
      if (next.origin !== url.origin) {
        headers.delete("authorization");
        headers.delete("cookie");
      }
      if (becomesGet) {
        headers.delete("content-type");
        headers.delete("content-length");
      }
      request = { ...request, headers, ...(becomesGet ? { method: "GET", body: undefined } : {}) };
      url = next;
    }
  };
