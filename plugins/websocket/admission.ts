// Checks before a socket or an event stream opens: connection attempts per IP (counted first, so
// refused attempts count too) and the Origin allow-list. Both answer with problem+json through the
// core's error mapper.
import {
  andThen,
  type ClientAddress,
  forbidden,
  type MaybePromise,
  type PeerAddress,
  type RateDecision,
  type RateLimiter,
  type RateRule,
  rateLimitHeaders,
  TesseraError,
} from "tessera/plugin";

export type { PeerAddress };

export interface AdmissionOptions {
  limits: RateLimiter;
  /** Read at each attempt: a reload changes it for the next one. */
  attemptsPerMinute: () => number;
  allowedOrigins: readonly string[];
  /** ctx.clientAddress: the one place that decides how far X-Forwarded-For is believed. */
  clientAddress: ClientAddress;
  onLimited(): void;
}

// Browsers send origins in canonical form; config may carry a trailing slash or capitals.
const canonicalOrigin = (origin: string): string => (URL.canParse(origin) ? new URL(origin).origin : origin.toLowerCase());

export const createAdmission = (options: AdmissionOptions) => {
  const origins = new Set(options.allowedOrigins.map(canonicalOrigin));

  const refuse = (decision: RateDecision) => {
    options.onLimited();
    return new TesseraError("ERR_RATE_LIMITED", "Too many WebSocket or event stream connection attempts from this address", {
      status: 429,
      headers: rateLimitHeaders(decision),
      details: { retryAfterSeconds: Math.ceil(Math.max(decision.retryAfterMs, 1) / 1000) },
    });
  };

  const checkOrigin = (request: Request): void => {
    // Only browsers send Origin, and a browser is what a foreign page would use to ride on a user's cookie.
    const origin = request.headers.get("origin");
    if (origin !== null && !origins.has(canonicalOrigin(origin))) {
      throw forbidden(
        `Origin ${origin.slice(0, 200)} may not open WebSockets or event streams here; list it in server.allowedOrigins`,
        {
          path: "Origin",
        },
      );
    }
  };

  // At once with an in-memory limiter: the upgrade need not wait for anything here.
  return (request: Request, server: PeerAddress): MaybePromise<void> => {
    const rule: RateRule = { limit: options.attemptsPerMinute(), windowMs: 60_000 };
    return andThen(options.limits.consume(`ws-connect:${options.clientAddress(request, server)}`, rule), (decision) => {
      if (!decision.allowed) throw refuse(decision);
      checkOrigin(request);
    });
  };
};
