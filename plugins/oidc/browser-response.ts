// The browser-facing routes (login, callback) answer failures the way a person can read: an HTML page
// with what happened and a way to start again, or problem+json for clients that don't ask for HTML.
// Cookies the route meant to clear are cleared either way.
import { isTesseraError, type Logger, problemBody, problemResponse, type TesseraError } from "tessera/plugin";

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

const wantsHtml = (request: Request) => (request.headers.get("accept") ?? "").includes("text/html");

const errorPage = (error: TesseraError, requestId: string, retryHref: string): Response => {
  const problem = problemBody(error, { requestId });
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign-in failed</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem">
<h1>Sign-in did not complete</h1>
<p>${escapeHtml(problem.detail)}</p>
<p><a href="${escapeHtml(retryHref)}">Sign in again</a> · <a href="/">Home</a></p>
<p style="color: #666; font-size: 0.85rem">${escapeHtml(problem.code)} · request ${escapeHtml(requestId)}</p>
</body></html>`;
  return new Response(body, {
    status: error.status,
    headers: {
      ...error.headers,
      "content-type": "text/html; charset=utf-8",
      // A page of text and links: nothing may load or run, and the callback URL is not passed on.
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
      "referrer-policy": "no-referrer",
    },
  });
};

/** The id the root app gave this request (it sets the response header before handlers run). */
export const requestIdOf = (headers: Record<string, unknown>): string | undefined => {
  const id = headers["x-request-id"];
  return typeof id === "string" ? id : undefined;
};

export interface BrowserContext {
  request: Request;
  /** The id the client sent; a failure without one gets a fresh id, as the core's problem responses do. */
  requestId?: string;
  log: Logger;
  /** Where "Sign in again" leads. */
  retryHref: string;
}

/** Runs `handler`; a TesseraError becomes a page or problem+json carrying the Set-Cookie values in `clear`. */
export const browserResponse = async (
  context: BrowserContext,
  handler: (clear: string[]) => Promise<Response>,
): Promise<Response> => {
  const clear: string[] = [];
  try {
    return await handler(clear);
  } catch (error) {
    if (!isTesseraError(error)) throw error;
    const { request, log } = context;
    // The page tells the user to quote this id, and the log line is how support finds it.
    const requestId = context.requestId ?? crypto.randomUUID();
    const path = new URL(request.url).pathname;
    // The client sees a terse message; the log keeps the cause, and sign-in failures are worth a
    // line even when they are the client's fault (clock skew, a wrong redirect URI…).
    if (error.status >= 500) log.error("sign-in failed", { path, requestId, error });
    else log.warn("sign-in refused", { path, requestId, code: error.code, reason: error.message });
    const response = wantsHtml(request)
      ? errorPage(error, requestId, context.retryHref)
      : problemResponse(error, { requestId, instance: path });
    for (const cookie of clear) response.headers.append("set-cookie", cookie);
    response.headers.set("cache-control", "no-store");
    response.headers.set("x-request-id", requestId);
    return response;
  }
};
