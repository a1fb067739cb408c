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

/** The logger a process starts with: its level can change while it runs (SIGHUP), for every child too. */
export interface RootLogger extends Logger {
  readonly level: LogLevel;
  setLevel(level: LogLevel): void;
}

export const isLogLevel = (value: unknown): value is LogLevel => typeof value === "string" && Object.hasOwn(RANK, value);

export const createLogger = (options: LoggerOptions = {}): RootLogger => {
  const shared: Threshold = { level: "info", rank: 0, stack: false };
  const setLevel = (level: LogLevel) => {
    shared.level = level;
    shared.rank = RANK[level];
    // Stacks carry paths and repeat messages; only a debug log wants them.
    shared.stack = level === "debug";
  };
  setLevel(options.level ?? "info");
  const root = build({
    shared,
    write: options.write ?? stdout,
    now: options.now ?? (() => new Date()),
    base: {},
  }).child(options.fields ?? {});
  return {
    ...root,
    get level() {
      return shared.level;
    },
    setLevel,
  };
};

/** One per root logger, shared by its children, so a new level reaches every one of them. */
interface Threshold {
  level: LogLevel;
  rank: number;
  stack: boolean;
}

interface Sink {
  shared: Threshold;
  write: (line: string) => void;
  now: () => Date;
  /** Context fields, already redacted. */
  base: Record<string, unknown>;
}

const build = (sink: Sink): Logger => {
  const log = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (RANK[level] < sink.shared.rank) return;
    const head = { ts: sink.now().toISOString(), level, msg: redactString(message) };
    const own = fields ? redactFields(fields, sink.shared.stack) : {};
    // The head is assigned twice: first to lead the line, then again so no field can overwrite it.
    sink.write(JSON.stringify(Object.assign({ ...head, ...sink.base, ...own }, head)));
  };
  return {
    debug: (message, fields) => log("debug", message, fields),
    info: (message, fields) => log("info", message, fields),
    warn: (message, fields) => log("warn", message, fields),
    error: (message, fields) => log("error", message, fields),
    child: (fields) => build({ ...sink, base: { ...sink.base, ...redactFields(fields, sink.shared.stack) } }),
  };
};

const redactFields = (fields: Record<string, unknown>, stack: boolean): Record<string, unknown> => {
  const out = redact(fields, { stack });
  return typeof out === "object" && out !== null && !Array.isArray(out) ? { ...out } : {};
};
