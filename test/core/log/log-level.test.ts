import { describe, expect, test } from "bun:test";
import { createLogger } from "../../../core/log/json-logger";
import { logLevelOverride } from "../../../core/log/log-level";

describe("log level", () => {
  test("a new level reaches every child logger made before the change", () => {
    const lines: string[] = [];
    const root = createLogger({ level: "warn", write: (line) => lines.push(line) });
    const child = root.child({ plugin: "p" });
    child.info("hidden");
    root.setLevel("debug");
    child.debug("shown");
    expect(root.level).toBe("debug");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({ msg: "shown", plugin: "p", level: "debug" });
    root.setLevel("error");
    child.warn("hidden again");
    expect(lines).toHaveLength(1);
  });

  test("--log-level wins over TESSERA_LOG_LEVEL, which wins over the file", () => {
    expect(logLevelOverride("debug", { TESSERA_LOG_LEVEL: "error" })).toBe("debug");
    expect(logLevelOverride(undefined, { TESSERA_LOG_LEVEL: "error" })).toBe("error");
    expect(logLevelOverride(undefined, { TESSERA_LOG_LEVEL: "" })).toBeUndefined();
    expect(logLevelOverride(undefined, {})).toBeUndefined();
  });

  test("refuses an unknown level from the flag or the environment, naming where it came from", () => {
    expect(() => logLevelOverride("loud", {})).toThrow(/--log-level expects debug, info, warn or error, got "loud"/);
    expect(() => logLevelOverride(undefined, { TESSERA_LOG_LEVEL: "verbose" })).toThrow(/TESSERA_LOG_LEVEL expects/);
    expect(() => logLevelOverride(undefined, { TESSERA_LOG_LEVEL: "constructor" })).toThrow(/TESSERA_LOG_LEVEL expects/);
  });
});
