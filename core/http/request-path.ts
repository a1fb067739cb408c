// The path of a request URL without building a URL object: hooks that run on every request use it.
// It is the path the router routes too: the root app has Elysia look for it right after `http://`
// (create-app.ts), as here, not after a fixed number of characters that a short Host would not fill.

/**
 * Where the path of `http://host/a/b?x=1` starts: the index of its first `/` after the authority. A URL
 * without an authority (Bun's for a request without a usable Host) is all path.
 */
export const pathStart = (url: string): number => {
  if (url.charCodeAt(0) === 0x2f) return 0;
  const start = url.indexOf("/", url.indexOf("//") + 2);
  return start < 0 ? url.length : start;
};

/** Where the path that starts at `start` ends: at the query, or at the end of the URL. */
export const pathEnd = (url: string, start: number): number => {
  const query = url.indexOf("?", start);
  return query < 0 ? url.length : query;
};

/** `http://host/a/b?x=1` → `/a/b`; the raw (still percent-encoded) path the router matches. */
export const requestPath = (url: string): string => {
  const start = pathStart(url);
  if (start === url.length) return "/";
  return url.slice(start, pathEnd(url, start));
};
