// The route guard: an onRequest hook, so it runs before body parsing and validation (an unauthenticated
// caller learns nothing about a route's schema) and covers every route, whichever plugin mounted it
// and in whatever order. A path outside the protected prefixes costs a few comparisons within its URL.
import { badRequest, forbidden, pathEnd, pathStart, type RateDecision, rateLimitHeaders } from "tessera/plugin";
import { API_KEY_CHALLENGE, type KeyCheck } from "./key-check";
import { API_KEY_PREFIX } from "./keyring";
import type { ScopeFor } from "./protect-map";

interface HookContext {
  request: Request;
  set: { headers: Record<string, string | number> };
}

// The router matches the raw path, but the decision must not hinge on that: an encoded path is
// also checked decoded, so `/%63oordinator` is as protected as `/coordinator`.
const decodePercent = (path: string) =>
  path.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));

const QUERY_KEY_NAMES = new Set(["api_key", "apikey", "api-key", "x-api-key", "key", "access_key"]);

/** The query parameter that looks like it carries a key, if any. */
const keyInQuery = (url: string): string | undefined => {
  const start = url.indexOf("?");
  if (start < 0) return undefined;
  for (const [name, value] of new URLSearchParams(url.slice(start + 1))) {
    if (QUERY_KEY_NAMES.has(name.toLowerCase()) || value.startsWith(API_KEY_PREFIX)) return name;
  }
  return undefined;
};

// RateLimit-* once half the quota is spent (and on every 429): a client pacing itself learns in time, and
// the common request does not pay for three more response headers.
const withRateHeaders = (set: HookContext["set"], decision: RateDecision): void => {
  if (decision.remaining * 2 <= decision.limit) Object.assign(set.headers, rateLimitHeaders(decision));
};

// Not an async function: on one instance the limiter answers synchronously and the whole check runs
// without a microtask (mounted with hookNow); with Redis it is mounted with hookLater, which awaits it.
export const apiKeyGuard =
  (scopeFor: ScopeFor, check: KeyCheck) =>
  ({ request, set }: HookContext): Promise<void> | undefined => {
    const url = request.url;
    const start = pathStart(url);
    const end = pathEnd(url, start);
    let scope = scopeFor(url, start, end);
    if (scope === undefined) {
      const percent = url.indexOf("%", start);
      if (percent >= 0 && percent < end) scope = scopeFor(decodePercent(url.slice(start, end)));
    }
    if (scope === undefined) return;
    const parameter = keyInQuery(url);
    if (parameter !== undefined) {
      check.denied("query");
      throw badRequest(
        "Send the API key in the X-API-Key header, never in the URL (URLs end up in logs); replace the key if it was real",
        { path: parameter, headers: { "WWW-Authenticate": API_KEY_CHALLENGE } },
      );
    }
    const key = check.authenticate(request);
    if (!key.scopes.has(scope)) {
      check.denied("scope");
      throw forbidden(`The API key "${key.name}" lacks the "${scope}" scope`, {
        headers: { "WWW-Authenticate": `${API_KEY_CHALLENGE}, error="insufficient_scope", scope="${scope}"` },
      });
    }
    const decision = check.admit(request, key);
    if (decision instanceof Promise) return decision.then((settled) => withRateHeaders(set, settled));
    withRateHeaders(set, decision);
  };
