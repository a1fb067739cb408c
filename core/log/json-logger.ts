// The Logger as JSON lines: {"ts","level","msg",...fields}, one object a line, stdout by default.
// Every field is redacted before it is written; below-level calls cost only a comparison.
import type { Logger, LogLevel } from "./logger";
import { redact, redactString } from "./redact";

export interface LoggerOptions {
  level?: LogLevel;
  write?: (line: string) => void;
  fields?: Record<string, unknown>;
  /** Clock; injectable for tests. */
  now?: () => Date;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const stdout = (line: string) => {
  process.stdout.write(`${line}\n`);
};

export const createLogger = (options: LoggerOptions = {}): Logger => {
  const level = options.level ?? "info";
  return build({
    threshold: RANK[level],
    // Stacks carry paths and repeat messages; only a debug log wants them.
    stack: level === "debug",
    write: options.write ?? stdout,
    now: options.now ?? (() => new Date()),
    base: {},
  }).child(options.fields ?? {});
};

interface Sink {
  threshold: number;
  stack: boolean;
  write: (line: string) => void;
  now: () => Date;
  /** Context fields, already redacted. */
  base: Record<string, unknown>;
}

const build = (sink: Sink): Logger => {
  const log = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (RANK[level] < sink.threshold) return;
    const head = { ts: sink.now().toISOString(), level, msg: redactString(message) };
    const own = fields ? redactFields(fields, sink.stack) : {};
    // The head is assigned twice: first to lead the line, then again so no field can overwrite it.
    sink.write(JSON.stringify(Object.assign({ ...head, ...sink.base, ...own }, head)));
  };
  return {
    debug: (message, fields) => log("debug", message, fields),
    info: (message, fields) => log("info", message, fields),
    warn: (message, fields) => log("warn", message, fields),
    error: (message, fields) => log("error", message, fields),
    child: (fields) => build({ ...sink, base: { ...sink.base, ...redactFields(fields, sink.stack) } }),
  };
};

const redactFields = (fields: Record<string, unknown>, stack: boolean): Record<string, unknown> => {
  const out = redact(fields, { stack });
  return typeof out === "object" && out !== null && !Array.isArray(out) ? { ...out } : {};
};
