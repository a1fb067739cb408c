// An overall deadline on every request: whatever a handler waits on (a database, Redis, a peer), the
// client gets a 503 problem+json with Retry-After in bounded time instead of a connection that hangs.
// A response that is there at once passes untouched; only one that has to be waited for gets a timer.
import { isPromiseLike } from "../async/maybe-promise";
import { TesseraError } from "../errors/tessera-error";
import type { Logger } from "../log/logger";
import { problemResponse } from "./problem";
import { requestPath } from "./request-path";

type Handle = (...args: unknown[]) => unknown;

const expired = (request: Request, ms: number, log: Logger) => {
  const path = requestPath(request.url);
  const requestId = crypto.randomUUID();
  log.warn("request deadline passed", { method: request.method, path, requestId, ms });
  const problem = new TesseraError("ERR_REQUEST_TIMEOUT", `The request did not complete within ${ms} ms; try again shortly`, {
    status: 503,
    headers: { "Retry-After": "1" },
  });
  return problemResponse(problem, { requestId, instance: path }, { "x-request-id": requestId });
};

/** For Elysia's `wrap`: the root app's whole handling of a request, raced against `ms`. */
export const requestDeadline =
  (ms: number, log: Logger) =>
  (handle: Handle, request: Request): Handle =>
  (...args) => {
    const answer = handle(...args);
    if (!isPromiseLike(answer)) return answer;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => resolve(expired(request, ms, log)), ms);
      answer.then(
        (response) => {
          clearTimeout(timer);
          resolve(response);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  };
