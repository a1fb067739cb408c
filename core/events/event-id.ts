// Event ids are per-workspace counters written as decimal strings; `since` comes from clients.
import { badRequest } from "../errors/tessera-error";

export const DEFAULT_REPLAY_LIMIT = 1000;

export const parseSince = (since: string): number => {
  if (!/^\d{1,15}$/.test(since)) throw badRequest("`since` must be an event id (a decimal number)", { path: "since" });
  return Number(since);
};

export const parseLimit = (limit: number | undefined): number => {
  if (limit === undefined) return DEFAULT_REPLAY_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) throw badRequest("`limit` must be a positive integer", { path: "limit" });
  return limit;
};

/** What a history knows about itself, beyond the events it still holds. */
export interface HistoryBounds {
  /** The newest id this history issued (0 when it issued none). */
  newest: number;
  /** The lowest `since` it can vouch for: above 0 once it restarted with ids continued from before. */
  from: number;
}

/**
 * Whether events after `since` may be missing from a replay. Ids carry no epoch, so a history that
 * restarted (an instance restart in memory, a Redis restart without persistence) can only tell by
 * its bounds: a `since` beyond anything it issued came from before the restart, one below `from`
 * predates the restart it recorded. Within them, history is contiguous, so events were trimmed
 * exactly when the first one kept after `since` is not since+1.
 */
export const hasGap = (since: number, firstId: string | undefined, bounds: HistoryBounds): boolean =>
  since > bounds.newest || since < bounds.from || (firstId !== undefined && Number(firstId) > since + 1);
