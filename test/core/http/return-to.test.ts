import { describe, expect, test } from "bun:test";
import { MAX_RETURN_TO_LENGTH, safeReturnTo } from "../../../core/http/return-to";

describe("safeReturnTo", () => {
  test("keeps same-origin paths with their query and fragment", () => {
    expect(safeReturnTo("/")).toBe("/");
    expect(safeReturnTo("/workspaces/42?tab=jobs#live")).toBe("/workspaces/42?tab=jobs#live");
    expect(safeReturnTo("/a/../b")).toBe("/b");
    expect(safeReturnTo("/a/./b/")).toBe("/a/b/");
    expect(safeReturnTo("/search?q=%2F%2Fnot-a-host")).toBe("/search?q=%2F%2Fnot-a-host");
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

  // Each passes a check on the raw text and becomes "//evil.example..." once a URL parser (or a
  // browser) collapses the dot segment or decodes the escape.
  const normalisedToAnotherOrigin = [
    "/.//evil.example/x",
    "/..//evil.example",
    "/./..//evil.example",
    "/a/..//evil.example",
    "/%2e//evil.example",
    "/%2E%2E//evil.example",
    "/%2e%2e/%2fevil.example",
    "/%2f/evil.example",
    "/%2F%2Fevil.example",
    "/%5cevil.example",
    "/%5C%5Cevil.example",
    "/.%5cevil.example",
    "/%09/evil.example",
    "/%0a/evil.example",
    "/%00evil",
    "/x/%2e%2e/%2e%2e//evil.example",
  ];
  for (const value of normalisedToAnotherOrigin) {
    test(`refuses ${JSON.stringify(value)}, which normalises to another origin`, () => {
      const judged = safeReturnTo(value);
      expect(judged).toBe("/");
    });
  }

  test("refuses a path whose normalised form outgrows the length bound", () => {
    // Each astral character is two UTF-16 units raw and twelve once percent-encoded.
    const value = `/${"\u{1d11e}".repeat(300)}`;
    expect(value.length).toBeLessThan(MAX_RETURN_TO_LENGTH);
    expect(safeReturnTo(value)).toBe("/");
  });

  test("what it returns is never longer than the bound", () => {
    const value = `/${"a".repeat(MAX_RETURN_TO_LENGTH - 1)}`;
    expect(safeReturnTo(value)).toBe(value);
    expect(safeReturnTo(`${value}a`)).toBe("/");
  });

  test("falls back to / for anything that is not a string (a repeated query parameter)", () => {
    expect(safeReturnTo(["/a", "/b"])).toBe("/");
    expect(safeReturnTo(undefined)).toBe("/");
  });
});
