import { describe, expect, test } from "bun:test";
import { closestMatch, editDistance } from "../../../core/config/suggest";

describe("closestMatch", () => {
  test("suggests a key a few edits away, ignoring case", () => {
    expect(closestMatch("authTimeout", ["path", "authTimeoutMs"])).toBe("authTimeoutMs");
    expect(closestMatch("hsotname", ["port", "hostname"])).toBe("hostname");
    expect(closestMatch("PublicURL", ["publicUrl"])).toBe("publicUrl");
  });

  test("suggests nothing for a distant or very short key", () => {
    expect(closestMatch("database", ["port", "hostname"])).toBeUndefined();
    expect(closestMatch("c", ["a", "b"])).toBeUndefined();
  });

  test("counts an adjacent transposition as one edit", () => {
    expect(editDistance("hsot", "host")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
  });
});
