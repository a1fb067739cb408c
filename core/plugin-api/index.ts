// `tessera/plugin`: what every plugin, built-in or not, imports. Re-exports only, so a plugin runs the
// same code the core runs; `tessera/plugin/db` and `tessera/plugin/identity` hold the rest.

export { andThen, type MaybePromise } from "../async/maybe-promise";
export { type Column, formatList, formatRecord, instant, JSON_FLAG } from "../cli/output";
export { parseDuration } from "../cli/parse-duration";
export { type ConfigIssue, configError, issueAt } from "../config/config-issue";
export type { JsonPath } from "../config/json-path";
export { PermissionDenied, type PermissionKind } from "../errors/permission-denied";
export {
  badRequest,
  conflict,
  type ErrorCode,
  type ErrorOptions,
  forbidden,
  isTesseraError,
  notFound,
  TesseraError,
  unauthenticated,
  validationFailed,
} from "../errors/tessera-error";
export type { EventBus, EventListener, ReplayResult, ResyncListener, WorkspaceEvent } from "../events/event-bus";
export { parseSince } from "../events/event-id";
export {
  answerNow,
  type HookParts,
  hookLater,
  hookNow,
  type RequestParts,
  type UpgradeParts,
  upgradeNow,
} from "../http/answer-now";
export type { ClientAddress, PeerAddress } from "../http/client-address";
export { requireSameOrigin, sameOriginCheck } from "../http/csrf";
export { type ProblemContext, problemBody, problemResponse } from "../http/problem";
export { type Documented, type OtherResponse, Problem, redirect, responses } from "../http/problem-schema";
export { type RequestMemo, requestMemo } from "../http/request-memo";
export { pathEnd, pathStart, requestPath } from "../http/request-path";
export { safeReturnTo } from "../http/return-to";
export { MemoryRateLimiter, type MemoryRateLimiterOptions } from "../limits/memory-limiter";
export { rateLimited, rateLimitHeaders } from "../limits/rate-headers";
export type { RateDecision, RateLimiter, RateRule } from "../limits/rate-limiter";
export type { SingleUse } from "../limits/single-use";
export type { Slots } from "../limits/slots";
export type { Logger, LogLevel } from "../log/logger";
export { type Counter, childrenBy, type Gauge, type Histogram } from "../metrics/metrics";
export type { Registry } from "../metrics/registry";
export * from "../plugins/define-plugin";
export { netAllowed } from "../plugins/grants";
export type * from "../plugins/plugin-context";
export type { ScopedFetch, ScopedFetchInit } from "../plugins/scoped-fetch";
export { buildInfo } from "../runtime/build-info";
export {
  endLeftoverRun,
  processStartTime,
  type RunProcess,
  runAlive,
  runMembers,
  signalRun,
} from "../runtime/process-group";
