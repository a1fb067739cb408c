// HTTP face of a rate decision: RateLimit-* headers (IETF draft, delta-seconds) and the 429 error.
import { TesseraError } from "../errors/tessera-error";
import type { RateDecision } from "./rate-limiter";

const seconds = (ms: number) => String(Math.ceil(ms / 1000));

export const rateLimitHeaders = (decision: RateDecision): Record<string, string> => {
  const headers: Record<string, string> = {
    "RateLimit-Limit": String(decision.limit),
    "RateLimit-Remaining": String(decision.remaining),
    "RateLimit-Reset": seconds(decision.resetMs),
  };
  // Rounded up: a client that waits exactly Retry-After must not be refused again.
  if (!decision.allowed) headers["Retry-After"] = seconds(Math.max(decision.retryAfterMs, 1));
  return headers;
};

export const rateLimited = (decision: RateDecision): TesseraError =>
  new TesseraError("ERR_RATE_LIMITED", "Too many requests", {
    status: 429,
    headers: rateLimitHeaders(decision),
    details: { retryAfterSeconds: Math.ceil(Math.max(decision.retryAfterMs, 1) / 1000) },
  });
