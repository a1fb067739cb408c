// Identifies the key a request presents and admits it under its rate limit. Both steps are memoised
// per request, so the route guard and the principal resolver can each ask without doing the work twice.
import {
  andThen,
  badRequest,
  type MaybePromise,
  type RateDecision,
  type RateLimiter,
  type RateRule,
  rateLimited,
  requestMemo,
  unauthenticated,
} from "tessera/plugin";
import type { DenyReason } from "./key-metrics";
import { MAX_KEY_LENGTH, MIN_KEY_LENGTH, matchKey, type StoredKey } from "./keyring";

export const API_KEY_HEADER = "x-api-key";
/** The challenge on every refusal, so a client learns where the key goes. */
export const API_KEY_CHALLENGE = 'ApiKey header="X-API-Key"';

export interface KeyCheckOptions {
  keys: readonly StoredKey[];
  limits: RateLimiter;
  rule: RateRule;
  onDenied: (reason: DenyReason) => void;
  now?: () => number;
}

export interface KeyCheck {
  /** The configured key the request's X-API-Key names; throws 400 or 401 otherwise. */
  authenticate(request: Request): StoredKey;
  /** As authenticate, but null when the request has no X-API-Key header at all. */
  presented(request: Request): StoredKey | null;
  /**
   * Counts the request against the key's rate limit (429 past it) and records the key's use. Answers
   * synchronously when the limiter does (in memory), so the guard needs no await on one instance.
   */
  admit(request: Request, key: StoredKey): MaybePromise<RateDecision>;
  /** Counts a refusal decided elsewhere (scope, query string). */
  denied(reason: DenyReason): void;
}

export const createKeyCheck = ({ keys, limits, rule, onDenied, now = Date.now }: KeyCheckOptions): KeyCheck => {
  const identified = requestMemo<StoredKey>("api-key.identified");
  const admitted = requestMemo<MaybePromise<RateDecision>>("api-key.admitted");
  // The limiter's key for each API key, built once rather than on every request.
  const bucketFor = (key: StoredKey) => `api-key:${key.name}`;
  const bucketOf = new Map(keys.map((key) => [key, bucketFor(key)]));

  const refuse = (reason: DenyReason, message: string) => {
    onDenied(reason);
    return unauthenticated(message, { headers: { "WWW-Authenticate": API_KEY_CHALLENGE } });
  };

  const identify = (header: string | null): StoredKey => {
    if (header === null) throw refuse("missing", "This route needs an API key in the X-API-Key header");
    if (header === "") throw refuse("empty", "The X-API-Key header is empty");
    // Repeated headers arrive joined by ", "; a key never contains a comma.
    if (header.includes(",")) {
      onDenied("duplicate");
      throw badRequest("Send exactly one X-API-Key header", { headers: { "WWW-Authenticate": API_KEY_CHALLENGE } });
    }
    if (header.length < MIN_KEY_LENGTH || header.length > MAX_KEY_LENGTH) {
      throw refuse("malformed", `The API key is not valid (keys are ${MIN_KEY_LENGTH} to ${MAX_KEY_LENGTH} characters)`);
    }
    const key = matchKey(keys, header);
    if (!key) throw refuse("unknown", "The API key is not valid");
    if (key.notAfter !== null && now() > key.notAfter) {
      throw refuse(
        "expired",
        `The API key "${key.name}" expired at ${new Date(key.notAfter).toISOString()}; use its replacement`,
      );
    }
    return key;
  };

  const settle = (key: StoredKey, decision: RateDecision): RateDecision => {
    if (!decision.allowed) {
      onDenied("rate_limited");
      throw rateLimited(decision);
    }
    key.lastUsedAt = now();
    return decision;
  };

  const consume = (key: StoredKey): MaybePromise<RateDecision> => {
    const decision = limits.consume(bucketOf.get(key) ?? bucketFor(key), rule);
    return andThen(decision, (settled) => settle(key, settled));
  };

  const identifyOnce = (request: Request, header: string | null): StoredKey => {
    const key = identify(header);
    identified.set(request, key);
    return key;
  };

  return {
    authenticate: (request) => identified.get(request) ?? identifyOnce(request, request.headers.get(API_KEY_HEADER)),
    presented(request) {
      const known = identified.get(request);
      if (known) return known;
      const header = request.headers.get(API_KEY_HEADER);
      return header === null ? null : identifyOnce(request, header);
    },
    admit(request, key) {
      let decision = admitted.get(request);
      if (!decision) {
        try {
          decision = consume(key);
        } catch (error) {
          // A refusal is remembered like an admission: asking twice must not count twice.
          const refused = Promise.reject(error);
          refused.catch(() => {});
          admitted.set(request, refused);
          throw error;
        }
        admitted.set(request, decision);
      }
      return decision;
    },
    denied: onDenied,
  };
};
