// What the core's thread and an isolated plugin's SQLite thread (sqlite-worker.ts) say to each other.
// One request is out at a time, so each reply answers the last request. Errors cross as plain fields:
// a thread's messages carry no classes, and the plugin is answered by `code` and `status`.
import { TesseraError } from "../../errors/tessera-error";
import type { DbQueryParams, DbQueryResult } from "../wire/protocol";

export type SqliteRequest =
  /** First: open the file (`:memory:` for a database in memory) and apply the plugin's migrations. */
  | { kind: "open"; path: string; plugin: string; migrations: { sqlite: string; postgres: string } }
  | { kind: "query"; params: DbQueryParams }
  /** Close the file and end the thread. */
  | { kind: "close" };

export interface Opened {
  /** Safe to log. */
  location: string;
  /** The migrations applied now, as `<plugin>/<file>`. */
  applied: string[];
}

export interface SentError {
  code: string;
  message: string;
  status: number;
  path?: string;
  /** The cause's message, for the core's log. */
  cause?: string;
}

export type SqliteReply = { ok: true; opened: Opened } | { ok: true; result: DbQueryResult } | { ok: false; error: SentError };

export const sendable = (error: unknown): SentError => {
  if (error instanceof TesseraError) {
    const cause = error.cause instanceof Error ? error.cause.message : undefined;
    return { code: error.code, message: error.message, status: error.status, path: error.path, cause };
  }
  return { code: "ERR_INTERNAL", message: error instanceof Error ? error.message : String(error), status: 500 };
};

export const received = ({ code, message, status, path, cause }: SentError): TesseraError =>
  new TesseraError(code, message, { status, path, cause: cause === undefined ? undefined : new Error(cause) });
