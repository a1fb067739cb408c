// Tells "the database is not there right now" apart from a failing query, so a request caught by a
// PostgreSQL restart answers 503 with Retry-After (clients and load balancers retry) instead of 500.
import { TesseraError } from "../errors/tessera-error";

// Bun.sql's codes for a connection that could not be made or was lost, and the statement deadline's
// (statement-deadline.ts), which drizzle wraps like any driver error.
const CONNECTION_LOST = /^(ERR_POSTGRES_(CONNECTION_|IDLE_TIMEOUT|LIFETIME_TIMEOUT)|ERR_DB_UNREACHABLE$)/;

const codeOf = (error: unknown): unknown =>
  typeof error === "object" && error !== null && "code" in error ? error.code : undefined;

/** True when `error` or one of its causes (drizzle wraps the driver's) says the connection is gone. */
export const isDatabaseUnreachable = (error: unknown): boolean => {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = codeOf(current);
    if (typeof code === "string" && CONNECTION_LOST.test(code)) return true;
  }
  return false;
};

export const databaseUnavailable = (cause: unknown): TesseraError =>
  new TesseraError("ERR_DB_UNREACHABLE", "The database is unavailable; try again shortly", {
    status: 503,
    headers: { "Retry-After": "1" },
    cause,
  });

/** No answer within the client-side deadline: the database is partitioned away or overloaded. */
export const databaseTimedOut = (ms: number): TesseraError =>
  new TesseraError("ERR_DB_UNREACHABLE", `The database did not answer within ${ms} ms; try again shortly`, {
    status: 503,
    headers: { "Retry-After": "1" },
  });
