// Which scope a request path needs: the configured route prefixes, longest first, each compared in place,
// within the request URL itself. A protect map holds a handful of prefixes; comparing them costs less
// than slicing the path out and into candidate prefixes to hash for a Map lookup (new strings every time).

/** The scope for the path held in `text` from `start` to `end` (the whole of it by default). */
export type ScopeFor = (text: string, start?: number, end?: number) => string | undefined;

const SLASH = 0x2f;

/** Prefixes are normalised (`/coordinator`, no trailing slash); the longest matching one wins. */
export const protectMap = (entries: ReadonlyArray<readonly [prefix: string, scope: string]>): ScopeFor => {
  const longestFirst = [...entries].sort(([a], [b]) => b.length - a.length);
  if (longestFirst.length === 0) return () => undefined;
  return (text, start = 0, end = text.length) => {
    for (const [prefix, scope] of longestFirst) {
      // On segment boundaries only: `/coordinator` covers `/coordinator/jobs`, not `/coordinatorx`. A
      // prefix never holds `?`, so a match never runs on into the query.
      const after = start + prefix.length;
      if (text.startsWith(prefix, start) && (after === end || text.charCodeAt(after) === SLASH)) return scope;
    }
    return undefined;
  };
};
