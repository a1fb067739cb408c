// Redaction applied to everything a log line carries: secrets are recognised by their key
// (a "password" field) or by their shape (a bearer token, a JWT, a URL with credentials).
export const REDACTED = "[redacted]";

const SECRET_KEY = /token|secret|password|passwd|authorization|cookie|api[-_]?key|client_?secret|private|ticket|session/i;

// Order matters: URL parts first, so a token inside a query is caught with its parameter name kept.
const STRING_RULES: Array<[RegExp, string]> = [
  // scheme://user:password@host → keep the user; scheme://token@host → the lone userinfo may be a token.
  [/\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:]*):([^\s/?#@]*)@/gi, `$1$2:${REDACTED}@`],
  [/\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:]+)@/gi, `$1${REDACTED}@`],
  [
    /((?:^|[?&#;\s])(?:[\w.-]*token|ticket|code|state|client_secret|password|api[-_]?key|sig|signature|session[\w-]*)=)[^&#\s"'<>]*/gi,
    `$1${REDACTED}`,
  ],
  // At least 8 characters, so prose ("Bearer realm", "basic setup") stays readable.
  [/\b(Bearer|Basic)\s+[\w\-.~+/]{8,}=*/gi, `$1 ${REDACTED}`],
  // JWS/JWE compact form: the header is base64url JSON, so it starts with "eyJ" ('{"').
  [/\beyJ[\w-]+\.[\w-]+\.[\w-]*(?:\.[\w-]+\.[\w-]+)?/g, REDACTED],
  // Tessera session (tss_) and API (tsk_) tokens.
  [/\b(ts[sk]_)[\w-]+/g, `$1${REDACTED}`],
];

export const redactString = (text: string): string => {
  let out = text;
  for (const [pattern, replacement] of STRING_RULES) out = out.replace(pattern, replacement);
  return out;
};

export interface RedactOptions {
  /** Keep (redacted) stack traces of errors; only wanted at debug level. */
  stack?: boolean;
  maxDepth?: number;
}

export const redact = (value: unknown, options: RedactOptions = {}): unknown =>
  walk(value, { stack: options.stack ?? false, maxDepth: options.maxDepth ?? 12, seen: new WeakSet() }, 0);

interface Walk {
  stack: boolean;
  maxDepth: number;
  /** The objects on the path from the root: a repeat is a cycle; a shared, acyclic reference is not. */
  seen: WeakSet<object>;
}

const walk = (value: unknown, state: Walk, depth: number): unknown => {
  switch (typeof value) {
    case "string":
      return redactString(value);
    case "bigint":
      return value.toString();
    case "function":
    case "symbol":
      return `[${typeof value}]`;
    case "object":
      break;
    default:
      return value;
  }
  if (value === null) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  if (value instanceof URL) return redactString(value.href);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[binary ${value.byteLength} bytes]`;
  if (state.seen.has(value)) return "[circular]";
  if (depth >= state.maxDepth) return "[truncated]";
  state.seen.add(value);
  try {
    return walkObject(value, state, depth + 1);
  } finally {
    state.seen.delete(value);
  }
};

const walkObject = (value: object, state: Walk, depth: number): unknown => {
  if (value instanceof Error) return walkError(value, state, depth);
  if (Array.isArray(value)) return value.map((item) => walk(item, state, depth));
  if (value instanceof Set) return [...value].map((item) => walk(item, state, depth));
  if (value instanceof Map) return walkEntries(value.entries(), state, depth);
  if (value instanceof Headers) {
    const entries: Array<[string, string]> = [];
    value.forEach((item, key) => {
      entries.push([key, item]);
    });
    return walkEntries(entries, state, depth);
  }
  return walkEntries(Object.entries(value), state, depth);
};

const walkEntries = (entries: Iterable<[unknown, unknown]>, state: Walk, depth: number): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const [rawKey, item] of entries) {
    const key = String(rawKey);
    out[key] = SECRET_KEY.test(key) && item !== null && item !== undefined ? REDACTED : walk(item, state, depth);
  }
  return out;
};

// An Error's useful fields are not enumerable; pick them, with the cause chain, and drop the
// stack unless asked (it leaks paths and repeats the message).
const walkError = (error: Error, state: Walk, depth: number): Record<string, unknown> => {
  const out: Record<string, unknown> = { name: error.name };
  // Reflect.get, not a spread: some runtimes (Bun's RedisError) define `code` as an inherited getter.
  const code: unknown = Reflect.get(error, "code");
  if (code !== undefined) out.code = walk(code, state, depth);
  out.message = redactString(error.message);
  for (const field of ["status", "path", "details"]) {
    const value: unknown = Reflect.get(error, field);
    if (value !== undefined) out[field] = walk(value, state, depth);
  }
  if (error instanceof AggregateError) out.errors = walk(error.errors, state, depth);
  if (error.cause !== undefined) out.cause = walk(error.cause, state, depth);
  if (state.stack && error.stack) out.stack = redactString(error.stack);
  return out;
};
