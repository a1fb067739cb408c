// Which scope a request path needs: a Map from route prefix to scope, probed at the path's first
// few segment boundaries (no deeper than the longest prefix), so an unprotected path costs a lookup or two.

export type ScopeFor = (path: string) => string | undefined;

const segmentCount = (prefix: string) => prefix.split("/").length - 1;

/** Prefixes are normalised (`/coordinator`, no trailing slash); the longest matching one wins. */
export const protectMap = (entries: ReadonlyArray<readonly [prefix: string, scope: string]>): ScopeFor => {
  const scopes = new Map(entries);
  const depth = Math.max(0, ...entries.map(([prefix]) => segmentCount(prefix)));
  if (depth === 0) return () => undefined;
  return (path) => {
    let scope: string | undefined;
    let end = 0;
    for (let level = 0; level < depth; level++) {
      end = path.indexOf("/", end + 1);
      const found = scopes.get(end < 0 ? path : path.slice(0, end));
      if (found !== undefined) scope = found;
      if (end < 0) break;
    }
    return scope;
  };
};
