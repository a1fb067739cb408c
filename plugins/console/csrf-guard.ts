// The console makes the JSON API a browser API: the page calls POST /workspaces, /federation/peers/…
// with the session cookie. SameSite=Lax keeps that cookie off cross-site posts, but not off same-site
// ones (another port on the host, a sibling subdomain), and a urlencoded form body reads as a JSON
// object to the routes. So every unsafe request that the cookie alone authenticates must come from
// this site; bearer tokens, API keys and signed peer messages are not ambient and pass untouched.
import { bearerToken, cookieValue } from "../../core/identity/credentials";
import { SESSION_COOKIE } from "../../core/identity/session-resolver";
import { sameOriginCheck } from "./same-origin";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export const csrfGuard = (allowedOrigins: readonly string[]) => {
  const requireSameOrigin = sameOriginCheck(allowedOrigins);
  return ({ request }: { request: Request }): void => {
    if (SAFE_METHODS.has(request.method)) return;
    if (bearerToken(request) !== null || cookieValue(request, SESSION_COOKIE) === null) return;
    requireSameOrigin(request);
  };
};
