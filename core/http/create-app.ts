// The root HTTP app: request ids (on errors, and echoed when a client sends one), the Host and CSRF
// checks, the body-size limit, one error mapper to problem+json, and metrics.
// Core routes and plugin apps are mounted on it afterwards, so these hooks cover every route.
import { type Context, Elysia } from "elysia";
import { mapResponse } from "elysia/adapter/bun/handler";
import { isPromiseLike } from "../async/maybe-promise";
import { TesseraError } from "../errors/tessera-error";
import type { AccessLog } from "../log/access-log";
import type { Logger } from "../log/logger";
import type { HttpMetrics } from "../metrics/http-metrics";
import { mapResponseNow } from "./answer-now";
import { bodyGuard } from "./body-guard";
import { bodyTooLarge, capUndeclaredBody } from "./capped-body";
import { csrfGuard } from "./csrf";
import { requireHost } from "./host-check";
import { DEFAULT_MAX_JSON_DEPTH } from "./json-depth";
import { problemResponse } from "./problem";
import { requestDeadline } from "./request-deadline";
import { requestMemo } from "./request-memo";
import { requestPath } from "./request-path";
import type { RouteBodyLimits } from "./route-body-limits";
import { toTesseraError } from "./to-tessera-error";

export interface HttpAppOptions {
  log: Logger;
  metrics: HttpMetrics;
  bodyLimit: number;
  /** server.allowedOrigins: where a change made with the session cookie may come from. */
  allowedOrigins: readonly string[];
  /** server.maxJsonDepth: how deeply a request body may nest arrays and objects. */
  maxJsonDepth?: number;
  /** server.requestTimeoutMs: the longest a request may take to its response; 0 for none. */
  requestTimeoutMs?: number;
  /** log.access: one line per request while `enabled`. */
  accessLog?: AccessLog;
  /** Smaller caps routes declare for their own bodies (PluginParts.bodyLimits), filled as plugins mount. */
  routeLimits?: RouteBodyLimits;
}

interface ResponseContext {
  request: Request;
  route: string;
  set: Context["set"];
}

const SAFE_REQUEST_ID = /^[\w.:-]{1,64}$/;
const REQUEST_ID = "x-request-id";

export const createHttpApp = ({
  log,
  metrics,
  bodyLimit,
  allowedOrigins,
  maxJsonDepth = DEFAULT_MAX_JSON_DEPTH,
  requestTimeoutMs = 0,
  accessLog,
  routeLimits,
}: HttpAppOptions) => {
  const startedAt = requestMemo<number>("tessera.startedAt");
  // The id an error response was given when the request brought none, for its access-log line.
  const errorIds = requestMemo<string>("tessera.errorId");
  const refuseForgery = csrfGuard(allowedOrigins);

  // Counted where the response is produced: Elysia's onAfterResponse alone costs more than a session lookup.
  const observe = (request: Request, route: string, status: unknown, set: Context["set"]) => {
    const start = startedAt.get(request);
    const seconds = start === undefined ? 0 : (performance.now() - start) / 1000;
    const code = typeof status === "number" ? status : 200;
    metrics.observe(request.method, route, code, seconds);
    if (accessLog?.enabled) {
      const echoed = set.headers[REQUEST_ID];
      const requestId = typeof echoed === "string" ? echoed : errorIds.get(request);
      accessLog.record({ request, requestId, path: requestPath(request.url), status: code, seconds });
    }
  };

  const problemFor = (code: string | number, error: unknown, { request, set }: Omit<ResponseContext, "route">) => {
    const path = requestPath(request.url);
    const problem = toTesseraError(code, error, request.method, path);
    // Ids exist to find a failure in the log: a successful request gets one only when it brought one
    // (echoed in its response headers by the onRequest hook).
    const echoed = set.headers[REQUEST_ID];
    const requestId = typeof echoed === "string" ? echoed : crypto.randomUUID();
    if (typeof echoed !== "string") errorIds.set(request, requestId);
    if (problem.status >= 500) {
      log.error("request failed", { method: request.method, path, requestId, error: problem.cause ?? problem });
    }
    set.status = problem.status;
    return problemResponse(problem, { requestId, instance: path }, { [REQUEST_ID]: requestId });
  };

  // A handler that can answer without waiting (see answer-now.ts) hands over a promise when it had to
  // wait after all; Elysia would pass its rejection past onError, so it is mapped here, the same way.
  const settle = (answer: PromiseLike<unknown>, context: ResponseContext): Promise<Response> =>
    Promise.resolve(answer).then(
      (value) => {
        const response = mapResponse(value, context.set, context.request);
        observe(context.request, context.route, response.status, context.set);
        return response;
      },
      (error: unknown) => {
        const problem = problemFor(error instanceof TesseraError ? error.code : "UNKNOWN", error, context);
        observe(context.request, context.route, context.set.status, context.set);
        return problem;
      },
    );

  // normalize: false makes unknown body fields a 422 instead of silently dropping them (typos surface).
  // standardHostname: false has the router find the path right after `http://`, where every guard
  // reads it (request-path.ts), instead of 11 characters in, past a segment when the Host is short.
  const root = new Elysia({ name: "tessera-http", normalize: false, handler: { standardHostname: false } });
  if (requestTimeoutMs > 0) root.wrap(requestDeadline(requestTimeoutMs, log));
  return (
    root
      // The first hook of every request; it never waits (the checks only throw).
      .onRequest(({ request, set }) => {
        const incoming = request.headers.get(REQUEST_ID);
        // Every response header costs throughput on the hot path: this one is added only when asked for.
        const id = incoming === null ? undefined : SAFE_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
        startedAt.set(request, performance.now());
        if (id !== undefined) set.headers[REQUEST_ID] = id;
        requireHost(request.url);
        const length = Number(request.headers.get("content-length") ?? 0);
        const ownRefusal = routeLimits?.refusal(request.url, length);
        if (ownRefusal !== undefined) throw ownRefusal;
        if (length > bodyLimit) throw bodyTooLarge(bodyLimit);
        refuseForgery(request);
      })
      .onRequest(capUndeclaredBody(bodyLimit))
      .onTransform(bodyGuard(() => root.routes, maxJsonDepth))
      .onError(({ code, error, request, route, set }) => {
        const answer = problemFor(code, error, { request, set });
        // Errors before routing (no route, body too large) never reach mapResponse.
        if (!route) observe(request, "unmatched", set.status, set);
        return answer;
      })
      .mapResponse(
        mapResponseNow(({ request, route, set, response }) => {
          if (isPromiseLike(response)) return settle(response, { request, route, set });
          // A Response the handler built (a redirect) carries the status sent; set.status does not show it.
          observe(request, route, response instanceof Response ? response.status : set.status, set);
          return undefined;
        }),
      )
  );
};
