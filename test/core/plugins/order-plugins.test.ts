import { describe, expect, test } from "bun:test";
import { orderPlugins } from "../../../core/plugins/order-plugins";

const names = (plugins: { name: string }[]) => plugins.map((plugin) => plugin.name);

describe("orderPlugins", () => {
  test("starts dependencies first and otherwise keeps config order", () => {
    const ordered = orderPlugins([{ name: "coordinator", requires: ["api-key"] }, { name: "console" }, { name: "api-key" }]);
    expect(names(ordered)).toEqual(["api-key", "coordinator", "console"]);
  });

  test("names both plugins when a dependency is not enabled", () => {
    expect(() => orderPlugins([{ name: "coordinator", requires: ["api-key"] }])).toThrow(
      expect.objectContaining({
        code: "ERR_PLUGIN_DEPENDENCY",
        message: expect.stringMatching(/"coordinator" requires plugin "api-key".*plugins\.api-key\.enabled: true/),
      }),
    );
  });

  test("reports a cycle with its members in order", () => {
    expect(() =>
      orderPlugins([
        { name: "a", requires: ["b"] },
        { name: "b", requires: ["c"] },
        { name: "c", requires: ["a"] },
      ]),
    ).toThrow(expect.objectContaining({ code: "ERR_PLUGIN_CYCLE", message: expect.stringContaining("a → b → c → a") }));
  });
});
