// ctx.fetch: outbound HTTP restricted to granted hosts. A granted name is resolved here and the request
// goes to the address that was checked, so a name pointing inward (or re-pointed between check and
// connect) reaches nothing the grants did not name. Redirects are followed by hand so that every hop is
// checked again, and a timeout bounds the whole exchange.
import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import { PermissionDenied } from "../errors/permission-denied";
import { TesseraError } from "../errors/tessera-error";
import { atAddress, netAllowed } from "./grants";
import { isInternalAddress } from "./internal-address";

export interface ScopedFetchInit extends RequestInit {
  /** Whole exchange, redirects included; default 10 s. */
  timeoutMs?: number;
  maxRedirects?: number;
}

export type ScopedFetch = (input: string | URL, init?: ScopedFetchInit) => Promise<Response>;

export type ResolveHost = (hostname: string) => Promise<readonly { address: string; family: number }[]>;

export interface ScopedFetchOptions {
  transport?: typeof fetch;
  lookup?: ResolveHost;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const systemLookup: ResolveHost = (hostname) => dnsLookup(hostname, { all: true });

const untilAborted = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });

export const createScopedFetch = (
  plugin: string,
  granted: readonly string[],
  { transport = fetch, lookup = systemLookup }: ScopedFetchOptions = {},
): ScopedFetch => {
  const timedOut = (url: URL, timeoutMs: number, cause: unknown) =>
    new TesseraError("ERR_FETCH_TIMEOUT", `${plugin}: request to ${url.host} timed out after ${timeoutMs} ms`, {
      status: 504,
      cause,
    });

  /** The address to connect to: the host itself when it is one, else a resolved address the grants allow. */
  const destination = async (url: URL, signal: AbortSignal): Promise<URL> => {
    const hostname = url.hostname.replace(/^\[|\]$/g, "");
    if (isIP(hostname)) return url;
    let addresses: readonly { address: string }[];
    try {
      addresses = await Promise.race([lookup(hostname), untilAborted(signal)]);
    } catch (cause) {
      if (signal.aborted) throw cause;
      throw new TesseraError("ERR_FETCH_DNS", `${plugin}: ${url.hostname} could not be resolved`, { status: 502, cause });
    }
    const allowed = addresses.find(({ address }) => !isInternalAddress(address) || netAllowed(atAddress(url, address), granted));
    if (allowed) return atAddress(url, allowed.address);
    const [refused] = addresses;
    if (!refused) throw new TesseraError("ERR_FETCH_DNS", `${plugin}: ${url.hostname} has no address`, { status: 502 });
    throw new PermissionDenied(
      plugin,
      "net",
      atAddress(url, refused.address).host,
      `${url.host} resolves to ${refused.address}, an address inside this machine or its network`,
    );
  };

  return async (input, init = {}) => {
    const { timeoutMs = 10_000, maxRedirects = 5, ...rest } = init;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = rest.signal ? AbortSignal.any([rest.signal, timeout]) : timeout;
    let url = new URL(input);
    let request: RequestInit = { ...rest, redirect: "manual", signal };
    for (let hop = 0; ; hop++) {
      if (!netAllowed(url, granted)) throw new PermissionDenied(plugin, "net", url.host);
      let response: Response;
      try {
        const target = await destination(url, signal);
        const headers = new Headers(request.headers);
        headers.set("host", url.host);
        // The certificate is checked against the name asked for, not the address connected to.
        const tls = url.protocol === "https:" && target !== url ? { tls: { serverName: url.hostname } } : {};
        response = await transport(target, { ...request, headers, ...tls });
      } catch (cause) {
        if (timeout.aborted) throw timedOut(url, timeoutMs, cause);
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
};
