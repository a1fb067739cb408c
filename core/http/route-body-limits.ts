// Smaller body caps that routes declare for themselves (the federation inbox's 64 KiB), applied by the
// root app where it applies server.bodyLimit: a declared length over a route's cap is refused before
// anything reads the body, with the route's own problem (its code is part of its contract).
import type { TesseraError } from "../errors/tessera-error";
import { requestPath } from "./request-path";

export interface RouteBodyLimit {
  /** The route's exact path. */
  path: string;
  /** The largest body the route takes, below server.bodyLimit to matter. */
  bytes: number;
  /** The refusal a larger declared body gets (a 413 with the route's code). */
  refuse: () => TesseraError;
}

export interface RouteBodyLimits {
  add(limit: RouteBodyLimit): void;
  /** The route's refusal for a body of `length` bytes to `url`, if its cap is smaller. */
  refusal(url: string, length: number): TesseraError | undefined;
}

export const routeBodyLimits = (): RouteBodyLimits => {
  const byPath = new Map<string, RouteBodyLimit>();
  // Hot path: a body no larger than every declared cap never has its path looked up.
  let smallest = Number.POSITIVE_INFINITY;
  return {
    add(limit) {
      byPath.set(limit.path, limit);
      smallest = Math.min(smallest, limit.bytes);
    },
    refusal(url, length) {
      if (length <= smallest) return undefined;
      const limit = byPath.get(requestPath(url));
      return limit !== undefined && length > limit.bytes ? limit.refuse() : undefined;
    },
  };
};
