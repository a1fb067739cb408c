// The GCRA arithmetic shared by the memory and Redis limiters. A key's whole state is its theoretical
// arrival time (TAT): the moment its bucket would be full again. Times are milliseconds.
import { TesseraError } from "../errors/tessera-error";
import type { RateDecision, RateRule } from "./rate-limiter";

export interface GcraParams {
  /** Milliseconds one request "costs" at the steady rate. */
  interval: number;
  /** How far the TAT may run ahead of now: the bucket size in milliseconds. */
  tolerance: number;
  /** How far this request moves the TAT. */
  increment: number;
  /** The bucket size in requests (`burst`, else `limit`). */
  capacity: number;
}

const positive = (value: number) => Number.isFinite(value) && value > 0;

export const gcraParams = (rule: RateRule, cost = 1): GcraParams => {
  const capacity = rule.burst ?? rule.limit;
  if (!positive(rule.limit) || !positive(rule.windowMs) || !positive(capacity) || !(Number.isFinite(cost) && cost >= 0)) {
    throw new TesseraError("ERR_INTERNAL", "Invalid rate rule: limit, windowMs and burst must be positive, cost not negative", {
      details: { limit: rule.limit, windowMs: rule.windowMs, burst: rule.burst, cost },
    });
  }
  const interval = rule.windowMs / rule.limit;
  return { interval, tolerance: interval * capacity, increment: interval * cost, capacity };
};

/** One GCRA step: whether the request fits, and the TAT to keep (unchanged when denied). */
export const gcraStep = (params: GcraParams, now: number, storedTat: number | undefined): { allowed: boolean; tat: number } => {
  const tat = Math.max(storedTat ?? now, now);
  const next = tat + params.increment;
  return next - params.tolerance <= now ? { allowed: true, tat: next } : { allowed: false, tat };
};

// Float division leaves 2.9999999 where 3 is meant; the slack is far below a millisecond.
const EPSILON = 1e-6;

export const gcraDecision = (params: GcraParams, now: number, allowed: boolean, tat: number): RateDecision => {
  const ahead = Math.max(0, tat - now);
  const remaining = Math.max(0, Math.min(params.capacity, Math.floor((params.tolerance - ahead) / params.interval + EPSILON)));
  return {
    allowed,
    limit: params.capacity,
    remaining,
    retryAfterMs: allowed ? 0 : Math.max(0, Math.ceil(tat + params.increment - params.tolerance - now - EPSILON)),
    resetMs: Math.ceil(ahead - EPSILON),
  };
};
