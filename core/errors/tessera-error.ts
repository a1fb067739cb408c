// One error hierarchy for the whole runtime: a stable `code` callers branch on, an HTTP status,
// the offending path or value, and a `cause` that stays in the server log.

export type ErrorCode =
  | "ERR_CONFIG_INVALID"
  | "ERR_CONFIG_PARSE"
  | "ERR_CONFIG_NOT_FOUND"
  | "ERR_CONFIG_ENV"
  | "ERR_PLUGIN_NOT_FOUND"
  | "ERR_PLUGIN_INVALID"
  | "ERR_PLUGIN_DEPENDENCY"
  | "ERR_PLUGIN_CYCLE"
  | "ERR_PLUGIN_SETUP"
  | "ERR_PLUGIN_TIMEOUT"
  | "ERR_PERMISSION_NET"
  | "ERR_PERMISSION_ENV"
  | "ERR_PERMISSION_ROUTE"
  | "ERR_PERMISSION_READ"
  | "ERR_PERMISSION_WRITE"
  | "ERR_PERMISSION_RUN"
  | "ERR_PERMISSION_FFI"
  | "ERR_PERMISSION_SYS"
  | "ERR_PERMISSION_IMPORT"
  | "ERR_FETCH_TIMEOUT"
  | "ERR_FETCH_REDIRECT"
  | "ERR_DB_UNREACHABLE"
  | "ERR_DB_MIGRATION"
  | "ERR_DB_QUERY"
  | "ERR_DB_ISOLATION"
  | "ERR_PORT_IN_USE"
  | "ERR_BAD_REQUEST"
  | "ERR_BODY_TOO_LARGE"
  | "ERR_VALIDATION"
  | "ERR_NOT_FOUND"
  | "ERR_METHOD_NOT_ALLOWED"
  | "ERR_UNAUTHENTICATED"
  | "ERR_FORBIDDEN"
  | "ERR_CONFLICT"
  | "ERR_NOT_ACCEPTABLE"
  | "ERR_RATE_LIMITED"
  | "ERR_UNAVAILABLE"
  | "ERR_INTERNAL"
  | "ERR_ISOLATION_PROTOCOL"
  | "ERR_ISOLATION_UNSUPPORTED"
  | "ERR_ISOLATION_RUNTIME"
  | (string & {});

export interface ErrorOptions {
  status?: number;
  /** The JSON path, config path, value or resource the error is about. */
  path?: string;
  /** Extra fields safe to show a client (validation errors, current state, …). */
  details?: Record<string, unknown>;
  /** Response headers the error implies (Retry-After, WWW-Authenticate). */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class TesseraError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly path?: string;
  readonly details?: Record<string, unknown>;
  readonly headers?: Record<string, string>;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "TesseraError";
    this.code = code;
    this.status = options.status ?? 500;
    this.path = options.path;
    this.details = options.details;
    this.headers = options.headers;
  }
}

export const isTesseraError = (value: unknown): value is TesseraError => value instanceof TesseraError;

export const badRequest = (message: string, options?: ErrorOptions) =>
  new TesseraError("ERR_BAD_REQUEST", message, { status: 400, ...options });
export const unauthenticated = (message = "Authentication required", options?: ErrorOptions) =>
  new TesseraError("ERR_UNAUTHENTICATED", message, { status: 401, ...options });
export const forbidden = (message = "Not allowed", options?: ErrorOptions) =>
  new TesseraError("ERR_FORBIDDEN", message, { status: 403, ...options });
export const notFound = (message = "Not found", options?: ErrorOptions) =>
  new TesseraError("ERR_NOT_FOUND", message, { status: 404, ...options });
export const conflict = (message: string, options?: ErrorOptions) =>
  new TesseraError("ERR_CONFLICT", message, { status: 409, ...options });
export const validationFailed = (message: string, options?: ErrorOptions) =>
  new TesseraError("ERR_VALIDATION", message, { status: 422, ...options });
