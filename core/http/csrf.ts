// CSRF defence for every route, whichever plugins are enabled: a change that the session cookie alone
// authenticates must come from one of this site's origins. SameSite=Lax keeps the cookie off cross-site
// posts but not off same-site ones (another port, a sibling subdomain), and a urlencoded form body reads
// as a JSON object to the routes. Bearer tokens and API keys are not ambient and pass untouched.
import { TesseraError } from "../errors/tessera-error";
import { bearerToken, cookieValue } from "../identity/credentials";
import { SESSION_COOKIE } from "../identity/session-resolver";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

// The only bodies an HTML form can send, so the only ones a cross-site page can post without CORS.
const FORM_TYPES = new Set(["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"]);

const canonical = (origin: string): string => (URL.canParse(origin) ? new URL(origin).origin : origin.toLowerCase());

const csrfRefused = (message: string) => new TesseraError("ERR_CSRF", message, { status: 403 });

type SaysOrigin = (request: Request) => boolean;

/**
 * Whether the browser says the request comes from this site: throws 403 when its Origin (or, without
 * one, its Sec-Fetch-Site) says it does not, returns false when it carries neither header.
 */
const originCheck = (allowedOrigins: readonly string[]): SaysOrigin => {
  const allowed = new Set(allowedOrigins.map(canonical));
  return (request) => {
    const origin = request.headers.get("origin");
    if (origin !== null) {
      if (allowed.has(canonical(origin))) return true;
      throw csrfRefused(`Requests from origin ${JSON.stringify(origin.slice(0, 200))} may not do this; send it from this site`);
    }
    const site = request.headers.get("sec-fetch-site");
    if (site === null) return false;
    if (site === "same-origin") return true;
    throw csrfRefused(`Cross-site requests (Sec-Fetch-Site: ${JSON.stringify(site.slice(0, 40))}) may not do this`);
  };
};

/**
 * For routes where a request without either header is refused too (sign-in and sign-out forms): a
 * cookie, or no cookie yet, proves nothing about which page sent them.
 */
export const sameOriginCheck = (allowedOrigins: readonly string[]) => {
  const saysOrigin = originCheck(allowedOrigins);
  return (request: Request): void => {
    if (saysOrigin(request)) return;
    throw csrfRefused("This request carries neither Origin nor Sec-Fetch-Site, so it can't be told apart from a cross-site one");
  };
};

/** sameOriginCheck for a single request. */
export const requireSameOrigin = (request: Request, allowedOrigins: readonly string[]): void =>
  sameOriginCheck(allowedOrigins)(request);

const isFormBody = (request: Request): boolean => {
  const type = request.headers.get("content-type");
  if (type === null) return false;
  return FORM_TYPES.has(type.split(";", 1)[0]?.trim().toLowerCase() ?? "");
};

/**
 * The check on every request (an onRequest hook's part: it never waits, it throws to refuse). Only an
 * unsafe request whose credential is the session cookie is looked at. One with neither Origin nor
 * Sec-Fetch-Site comes from no browser of today (curl, a script with a copied cookie): it may change
 * things, but not with a body a form could have sent, which is all an older browser's cross-site page can.
 */
export const csrfGuard = (allowedOrigins: readonly string[]) => {
  const saysOrigin = originCheck(allowedOrigins);
  return (request: Request): void => {
    if (SAFE_METHODS.has(request.method)) return;
    // The session resolver reads the cookie only when no bearer token is sent.
    if (bearerToken(request) !== null || cookieValue(request, SESSION_COOKIE) === null) return;
    if (saysOrigin(request) || !isFormBody(request)) return;
    throw new TesseraError("ERR_UNSUPPORTED_MEDIA_TYPE", "Send the body as JSON with Content-Type: application/json", {
      status: 415,
    });
  };
};
