import { describe, expect, test } from "bun:test";
import { childrenBy } from "../../../core/metrics/metrics";
import { Registry } from "../../../core/metrics/registry";

describe("childrenBy", () => {
  test("asks labels() once per value and hands back the same child after", () => {
    const registry = new Registry();
    const closes = registry.counter({ name: "closes_total", help: "closes", labelNames: ["code"] });
    const asked: number[] = [];
    const childOf = childrenBy((code: number) => {
      asked.push(code);
      return closes.labels(code);
    });
    childOf(1000).inc();
    childOf(1000).inc();
    childOf(4429).inc();
    expect(asked).toEqual([1000, 4429]);
    expect(childOf(1000)).toBe(childOf(1000));
    const text = registry.render();
    expect(text).toContain('closes_total{code="1000"} 2');
    expect(text).toContain('closes_total{code="4429"} 1');
  });
});
