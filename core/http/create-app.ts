// The root HTTP app: request ids, the body-size limit, one error mapper to problem+json, and metrics.
// Core routes and plugin apps are mounted on it afterwards, so these hooks cover every route.
import { Elysia } from "elysia";
import { TesseraError } from "../errors/tessera-error";
import type { Logger } from "../log/logger";
import type { HttpMetrics } from "../metrics/http-metrics";
import { problemResponse } from "./problem";
import { requestPath } from "./request-path";
import { toTesseraError } from "./to-tessera-error";

export interface HttpAppOptions {
  log: Logger;
  metrics: HttpMetrics;
  bodyLimit: number;
}

const SAFE_REQUEST_ID = /^[\w.:-]{1,64}$/;

export const createHttpApp = ({ log, metrics, bodyLimit }: HttpAppOptions) => {
  const requests = new WeakMap<Request, { id: string; start: number }>();

  // Counted where the response is produced: Elysia's onAfterResponse alone costs more than a session lookup.
  const observe = (request: Request, route: string, status: unknown) => {
    const start = requests.get(request)?.start;
    const seconds = start === undefined ? 0 : (performance.now() - start) / 1000;
    metrics.observe(request.method, route, typeof status === "number" ? status : 200, seconds);
  };

  // normalize: false makes unknown body fields a 422 instead of silently dropping them (typos surface).
  return new Elysia({ name: "tessera-http", normalize: false })
    .onRequest(({ request, set }) => {
      const incoming = request.headers.get("x-request-id");
      const id = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
      requests.set(request, { id, start: performance.now() });
      set.headers["x-request-id"] = id;
      const length = Number(request.headers.get("content-length") ?? 0);
      if (length > bodyLimit) {
        throw new TesseraError("ERR_BODY_TOO_LARGE", `The request body is larger than ${bodyLimit} bytes`, { status: 413 });
      }
    })
    .onError(({ code, error, request, route, set }) => {
      const path = requestPath(request.url);
      const problem = toTesseraError(code, error, request.method, path);
      const requestId = requests.get(request)?.id;
      if (problem.status >= 500) {
        log.error("request failed", { method: request.method, path, requestId, error: problem.cause ?? problem });
      }
      set.status = problem.status;
      // Errors before routing (no route, body too large) never reach mapResponse.
      if (!route) observe(request, "unmatched", problem.status);
      return problemResponse(problem, { requestId, instance: path });
    })
    .mapResponse(({ request, route, set }) => {
      observe(request, route, set.status);
    });
};
