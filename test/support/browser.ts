// A minimal browser for sign-in tests: a cookie jar per host and path (Max-Age, Path, deletion) and
// redirects followed by hand, so a test sees every hop of an OpenID flow and can stop at any of them.

interface StoredCookie {
  host: string;
  name: string;
  value: string;
  path: string;
  expiresAt: number;
}

export interface Hop {
  url: string;
  response: Response;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export class Browser {
  readonly #cookies: StoredCookie[] = [];
  readonly #transport: (request: Request) => Promise<Response>;

  /** `transport` defaults to the network; pass an app's `handle` to drive it in process. */
  constructor(transport: (request: Request) => Promise<Response> = (request) => fetch(request, { redirect: "manual" })) {
    this.#transport = transport;
  }

  /** The Cookie header this browser would send to `url`. */
  cookieHeader(url: string | URL): string {
    const target = new URL(url);
    const now = Date.now();
    return this.#cookies
      .filter((cookie) => cookie.host === target.host && target.pathname.startsWith(cookie.path) && cookie.expiresAt > now)
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join("; ");
  }

  /** Cookies held for `url`'s host, by name. */
  cookies(url: string | URL): Map<string, string> {
    const host = new URL(url).host;
    return new Map(
      this.#cookies.filter((cookie) => cookie.host === host && cookie.expiresAt > Date.now()).map((c) => [c.name, c.value]),
    );
  }

  setCookie(url: string | URL, name: string, value: string, path = "/"): void {
    this.#store(new URL(url), `${name}=${value}; Path=${path}`);
  }

  /** One request, no redirect followed; cookies go out and come back as a browser's would. */
  async request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const headers = new Headers(init.headers);
    const cookie = this.cookieHeader(target);
    if (cookie && !headers.has("cookie")) headers.set("cookie", cookie);
    const response = await this.#transport(new Request(target, { ...init, headers, redirect: "manual" }));
    for (const line of response.headers.getSetCookie()) this.#store(target, line);
    return response;
  }

  /**
   * Follows redirects from `url` until a response is not a redirect or `stopAt` accepts the next
   * location (which is then returned unvisited, as `url` of the last hop's target).
   */
  async follow(url: string | URL, init: RequestInit = {}, stopAt: (location: URL) => boolean = () => false): Promise<Hop> {
    let current = new URL(url);
    let response = await this.request(current, init);
    for (let hops = 0; REDIRECTS.has(response.status); hops++) {
      const location = response.headers.get("location");
      if (!location || hops > 20) break;
      const next = new URL(location, current);
      if (stopAt(next)) return { url: next.toString(), response };
      await response.body?.cancel();
      current = next;
      response = await this.request(current);
    }
    return { url: current.toString(), response };
  }

  #store(url: URL, line: string): void {
    const [pair = "", ...attributes] = line.split(";");
    const eq = pair.indexOf("=");
    if (eq <= 0) return;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    let path = "/";
    let expiresAt = Number.POSITIVE_INFINITY;
    let maxAge: number | undefined;
    for (const attribute of attributes) {
      const eqAt = attribute.indexOf("=");
      const key = (eqAt < 0 ? attribute : attribute.slice(0, eqAt)).trim().toLowerCase();
      const val = eqAt < 0 ? "" : attribute.slice(eqAt + 1).trim();
      if (key === "path") path = val || "/";
      if (key === "max-age") maxAge = Number(val);
      if (key === "expires") expiresAt = Date.parse(val);
    }
    // Max-Age wins over Expires (RFC 6265 §5.3).
    if (maxAge !== undefined) expiresAt = Date.now() + maxAge * 1000;
    const index = this.#cookies.findIndex((cookie) => cookie.host === url.host && cookie.name === name && cookie.path === path);
    if (index >= 0) this.#cookies.splice(index, 1);
    if (expiresAt > Date.now() && value !== "") this.#cookies.push({ host: url.host, name, value, path, expiresAt });
  }
}
