// The path of a request URL without building a URL object: hooks that run on every request use it.

/** `http://host/a/b?x=1` → `/a/b`; the raw (still percent-encoded) path the router matches. */
export const requestPath = (url: string): string => {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0) return "/";
  const query = url.indexOf("?", start);
  return url.slice(start, query < 0 ? undefined : query);
};
