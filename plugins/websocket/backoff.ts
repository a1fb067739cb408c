// Reconnect delays: exponential with full jitter, so clients dropped together don't return together.

export interface BackoffOptions {
  initialDelayMs: number;
  maxDelayMs: number;
}

/** A delay in [0, min(max, initial·2^attempt)); `attempt` counts failures since the last success. */
export const backoffDelay = (attempt: number, options: BackoffOptions, random: () => number = Math.random): number =>
  Math.floor(random() * Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.min(attempt, 30)));
