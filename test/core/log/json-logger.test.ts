import { describe, expect, test } from "bun:test";
import { createLogger } from "../../../core/log/json-logger";

const capture = (options: Parameters<typeof createLogger>[0] = {}) => {
  const lines: string[] = [];
  const logger = createLogger({ now: () => new Date("2030-01-02T03:04:05.678Z"), ...options, write: (line) => lines.push(line) });
  return { logger, lines, parsed: () => lines.map((line) => JSON.parse(line)) };
};

describe("createLogger", () => {
  test("writes one JSON object per line: ts, level, msg, then fields", () => {
    const { logger, lines } = capture({ fields: { service: "tessera" } });
    logger.info("started", { port: 3000 });
    expect(lines).toEqual(['{"ts":"2030-01-02T03:04:05.678Z","level":"info","msg":"started","service":"tessera","port":3000}']);
  });

  test("drops calls below its level", () => {
    const { logger, parsed } = capture({ level: "warn" });
    logger.debug("d");
    logger.info("i");
    logger.warn("w");
    logger.error("e");
    expect(parsed().map((line) => line.level)).toEqual(["warn", "error"]);
  });

  test("a child adds its fields to every line, and call fields win over them", () => {
    const { logger, parsed } = capture();
    const child = logger.child({ plugin: "oidc", requestId: "r1" }).child({ requestId: "r2" });
    child.info("x", { extra: true });
    child.info("y", { plugin: "override" });
    expect(parsed()).toMatchObject([
      { msg: "x", plugin: "oidc", requestId: "r2", extra: true },
      { msg: "y", plugin: "override" },
    ]);
  });

  test("no field can overwrite ts, level or msg", () => {
    const { logger, parsed } = capture();
    logger.info("real", { ts: "fake", level: "error", msg: "forged" });
    expect(parsed()[0]).toEqual({ ts: "2030-01-02T03:04:05.678Z", level: "info", msg: "real" });
  });

  test("redacts fields, child fields and the message itself", () => {
    const { logger, lines } = capture();
    logger.child({ apiKey: "k-123456789" }).warn("callback https://app.test/cb?code=abc123xyz", { password: "hunter22" });
    expect(lines[0]).not.toContain("k-123456789");
    expect(lines[0]).not.toContain("abc123xyz");
    expect(lines[0]).not.toContain("hunter22");
  });

  test("error stacks appear only at debug level, and redacted", () => {
    const error = new Error("failed with Bearer abcdefghijklmnop");
    const info = capture();
    info.logger.error("boom", { error });
    expect(info.parsed()[0].error).toEqual({ name: "Error", message: "failed with Bearer [redacted]" });
    const debug = capture({ level: "debug" });
    debug.logger.error("boom", { error });
    const stack: string = debug.parsed()[0].error.stack;
    expect(stack).toContain("json-logger.test.ts");
    expect(stack).not.toContain("abcdefghijklmnop");
  });

  test("writes to stdout by default", () => {
    const write = process.stdout.write;
    const written: string[] = [];
    process.stdout.write = (chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    };
    try {
      createLogger().info("to stdout");
    } finally {
      process.stdout.write = write;
    }
    expect(written).toHaveLength(1);
    expect(written[0]).toEndWith("\n");
    expect(JSON.parse(written[0] ?? "")).toMatchObject({ level: "info", msg: "to stdout" });
  });
});
