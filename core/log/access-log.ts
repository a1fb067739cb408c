// The access log (log.access): one JSON line per request, whatever the log level, with the request id,
// the kind of principal, method, path (never the query string: it may carry tokens), status and duration.
import type { MaybePromise } from "../async/maybe-promise";
import type { Principal } from "../identity/types";
import { redactString } from "./redact";

export interface AccessEntry {
  request: Request;
  /** The id the response carries, if any; one is made up otherwise, so every line has one. */
  requestId: string | undefined;
  path: string;
  status: number;
  seconds: number;
}

export interface AccessLog {
  /** Read on every request: while off, that check is all a request pays. Changed by a reload. */
  enabled: boolean;
  record(entry: AccessEntry): void;
}

export interface AccessLogOptions {
  enabled: boolean;
  /** The principal the request was resolved to, if anything asked; the log never resolves one itself. */
  principalOf: (request: Request) => MaybePromise<Principal | null> | undefined;
  write?: (line: string) => void;
  now?: () => Date;
}

const stdout = (line: string) => {
  process.stdout.write(`${line}\n`);
};

export const createAccessLog = ({
  enabled,
  principalOf,
  write = stdout,
  now = () => new Date(),
}: AccessLogOptions): AccessLog => {
  const line = (entry: AccessEntry, principal: string) => {
    write(
      JSON.stringify({
        ts: now().toISOString(),
        level: "info",
        msg: "request",
        requestId: entry.requestId ?? crypto.randomUUID(),
        principal,
        method: entry.request.method,
        path: redactString(entry.path),
        status: entry.status,
        durationMs: Math.round(entry.seconds * 1e6) / 1e3,
      }),
    );
  };
  return {
    enabled,
    record(entry) {
      const known = principalOf(entry.request);
      if (known instanceof Promise) {
        known.then(
          (principal) => line(entry, principal?.kind ?? "anonymous"),
          () => line(entry, "invalid"),
        );
      } else line(entry, known?.kind ?? "anonymous");
    },
  };
};
