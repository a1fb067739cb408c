// Set-Cookie values for the plugin's cookies: always HttpOnly and SameSite=Lax (the callback is a
// top-level navigation from the provider, which Lax lets through), Secure when the site is https.
export interface CookieOptions {
  path: string;
  maxAgeSeconds: number;
  secure: boolean;
}

export const setCookie = (name: string, value: string, { path, maxAgeSeconds, secure }: CookieOptions): string =>
  `${name}=${value}; Path=${path}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;

export const clearCookie = (name: string, path: string, secure: boolean): string =>
  setCookie(name, "", { path, maxAgeSeconds: 0, secure });

/** Names of the request's cookies that start with `prefix`. */
export const cookieNamesWithPrefix = (request: Request, prefix: string): string[] =>
  (request.headers.get("cookie") ?? "")
    .split(";")
    .map((part) => {
      const eq = part.indexOf("=");
      return eq < 0 ? "" : part.slice(0, eq).trim();
    })
    .filter((name) => name.startsWith(prefix));
