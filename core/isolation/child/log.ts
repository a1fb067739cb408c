// ctx.log: the plugin's lines go to the core, which writes them with its own logger (and redacts there).
import type { Logger } from "../../log/logger";
import type { LogLine } from "../wire/protocol";

// JSON drops an Error's fields; the core's logger would have kept its name, message and code.
const plain = (fields: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(fields).map(([key, value]) =>
      value instanceof Error
        ? [key, { name: value.name, message: value.message, ...("code" in value ? { code: value.code } : {}) }]
        : [key, value],
    ),
  );

export const wireLogger = (send: (line: LogLine) => void, fields: Record<string, unknown> = {}): Logger => {
  const line = (level: LogLine["level"]) => (message: string, more?: Record<string, unknown>) =>
    send({ level, message, fields: plain({ ...fields, ...more }) });
  return {
    debug: line("debug"),
    info: line("info"),
    warn: line("warn"),
    error: line("error"),
    child: (more) => wireLogger(send, { ...fields, ...more }),
  };
};
