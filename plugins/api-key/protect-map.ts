// Which scope a request path needs: the configured route prefixes, longest first, each compared in place.
// A protect map holds a handful of prefixes; comparing them costs less than slicing the path into
// candidate prefixes and hashing each for a Map lookup (the slices are new strings on every request).

export type ScopeFor = (path: string) => string | undefined;

const SLASH = 0x2f;

/** Prefixes are normalised (`/coordinator`, no trailing slash); the longest matching one wins. */
export const protectMap = (entries: ReadonlyArray<readonly [prefix: string, scope: string]>): ScopeFor => {
  const longestFirst = [...entries].sort(([a], [b]) => b.length - a.length);
  if (longestFirst.length === 0) return () => undefined;
  return (path) => {
    for (const [prefix, scope] of longestFirst) {
      // On segment boundaries only: `/coordinator` covers `/coordinator/jobs`, not `/coordinatorx`.
      if (path.startsWith(prefix) && (path.length === prefix.length || path.charCodeAt(prefix.length) === SLASH)) {
        return scope;
      }
    }
    return undefined;
  };
};
