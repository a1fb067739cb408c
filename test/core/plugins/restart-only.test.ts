import { describe, expect, test } from "bun:test";
import { restartOnly } from "../../../core/plugins/restart-only";

describe("restartOnly", () => {
  const started = { path: "/ws", limit: 1, sse: { enabled: true, retryMs: 100 }, name: "one" };

  test("keeps the listed settings at their start-up values and names those that changed", () => {
    const next = { path: "/live", limit: 2, sse: { enabled: false, retryMs: 200 }, name: "one" };
    const { config, needsRestart } = restartOnly(started, next, ["path", "sse.enabled", "name"]);
    expect(needsRestart).toEqual(["path", "sse.enabled"]);
    expect(config).toEqual({ path: "/ws", limit: 2, sse: { enabled: true, retryMs: 200 }, name: "one" });
    expect(next.path).toBe("/live");
  });

  test("a setting absent at start stays absent, and one absent now comes back", () => {
    const { config, needsRestart } = restartOnly<Record<string, unknown>>(
      { limit: 1, sse: { enabled: true } },
      { limit: 1, name: "two" },
      ["name", "sse.enabled"],
    );
    expect(needsRestart).toEqual(["name", "sse.enabled"]);
    expect(config).toEqual({ limit: 1, sse: { enabled: true } });
  });
});
