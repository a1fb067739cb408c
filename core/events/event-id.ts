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

/** History is contiguous, so events were dropped exactly when the first one kept after `since` is not since+1. */
export const hasGap = (since: number, firstId: string | undefined): boolean =>
  firstId !== undefined && Number(firstId) > since + 1;
