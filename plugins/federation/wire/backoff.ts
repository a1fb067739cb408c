// Exponential backoff with jitter, for retries to a peer.

/**
 * The wait before retry number `attempt` (1-based): base·2^(attempt-1), capped at `maxMs`, scaled by a
 * random factor in [0.5, 1.5) so that senders recovering together don't retry in lockstep.
 */
export const backoffMs = (attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number =>
  Math.round(Math.min(maxMs, baseMs * 2 ** (attempt - 1)) * (0.5 + random()));
