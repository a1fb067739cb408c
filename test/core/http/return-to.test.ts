import { describe, expect, test } from "bun:test";
import { safeReturnTo } from "../../../core/http/return-to";

describe("safeReturnTo", () => {
  test("keeps same-origin paths with their query and fragment", () => {
    expect(safeReturnTo("/")).toBe("/");
    expect(safeReturnTo("/workspaces/42?tab=jobs#live")).toBe("/workspaces/42?tab=jobs#live");
    expect(safeReturnTo("/a/../b")).toBe("/b");
  });

  const hostile = [
    "//evil.example",
    "//evil.example/path",
    "/\\evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "http:evil.example",
    "javascript:alert(1)",
    "evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/ok\u0000",
    "/ok\u007f",
    "",
    `/${"a".repeat(3000)}`,
  ];
  for (const value of hostile) {
    test(`falls back to / for ${JSON.stringify(value.slice(0, 40))}`, () => {
      expect(safeReturnTo(value)).toBe("/");
    });
  }

  test("falls back to / for anything that is not a string (a repeated query parameter)", () => {
    expect(safeReturnTo(["/a", "/b"])).toBe("/");
    expect(safeReturnTo(undefined)).toBe("/");
  });
});
