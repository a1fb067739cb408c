// Stdout carries the wire, so nothing else may write to it: console.* becomes the plugin's `log` lines.
import { format } from "node:util";
import type { LogLine } from "../wire/protocol";

const LEVELS = { debug: "debug", trace: "debug", info: "info", log: "info", warn: "warn", error: "error" } as const;

export const redirectConsole = (send: (line: LogLine) => void): void => {
  for (const [method, level] of Object.entries(LEVELS)) {
    Object.defineProperty(console, method, {
      value: (...args: unknown[]) => send({ level, message: format(...args) }),
      configurable: true,
      writable: true,
    });
  }
};
