// The path of a request URL without building a URL object: hooks that run on every request use it.

/** Where the path of `http://host/a/b?x=1` starts: the index of its first `/` after the authority. */
export const pathStart = (url: string): number => {
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
