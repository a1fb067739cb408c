// RFC 9457 problem+json: the client gets a terse, stable description; the cause stays in the log.
import { STATUS_CODES } from "node:http";
import type { TesseraError } from "../errors/tessera-error";

// RFC 9110's names where Node's table still has older ones; Node's for every other status.
const STATUS_TITLES: Record<number, string> = {
  413: "Content Too Large",
  422: "Unprocessable Content",
};

export interface ProblemContext {
  requestId?: string;
  instance?: string;
}

// A gateway's failure is another server's (a peer, an identity provider): its code tells the client which,
// and says nothing about this server's insides.
const GATEWAY_STATUSES = new Set([502, 503, 504]);

/** Server-side failures don't say what went wrong inside; client errors say exactly what to fix. */
export const problemBody = (error: TesseraError, context: ProblemContext = {}) => {
  const internal = error.status >= 500 && !GATEWAY_STATUSES.has(error.status);
  return {
    type: `urn:tessera:problem:${error.code}`,
    title: STATUS_TITLES[error.status] ?? STATUS_CODES[error.status] ?? "Error",
    status: error.status,
    code: internal ? "ERR_INTERNAL" : error.code,
    detail: internal ? "The server failed to handle this request; the request id finds it in the log" : error.message,
    ...(error.path !== undefined && !internal ? { path: error.path } : {}),
    ...(context.instance ? { instance: context.instance } : {}),
    ...(context.requestId ? { requestId: context.requestId } : {}),
    ...(!internal ? error.details : {}),
  };
};

export const problemResponse = (error: TesseraError, context: ProblemContext = {}, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(problemBody(error, context)), {
    status: error.status,
    headers: { ...headers, ...error.headers, "content-type": "application/problem+json" },
  });
