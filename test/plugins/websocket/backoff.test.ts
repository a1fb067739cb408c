import { describe, expect, test } from "bun:test";
import { backoffDelay } from "../../../plugins/websocket/backoff";

const options = { initialDelayMs: 500, maxDelayMs: 30_000 };

describe("reconnect backoff", () => {
  test("the ceiling doubles with each failure up to the maximum", () => {
    const ceiling = (attempt: number) => backoffDelay(attempt, options, () => 0.999999);
    expect(ceiling(0)).toBe(499);
    expect(ceiling(1)).toBe(999);
    expect(ceiling(3)).toBe(3999);
    expect(ceiling(10)).toBe(29_999);
    expect(ceiling(1000)).toBe(29_999);
  });

  test("the delay is spread over the whole range (full jitter)", () => {
    expect(backoffDelay(4, options, () => 0)).toBe(0);
    expect(backoffDelay(4, options, () => 0.5)).toBe(4000);
  });
});
