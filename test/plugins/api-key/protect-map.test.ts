import { describe, expect, test } from "bun:test";
import { protectMap } from "../../../plugins/api-key/protect-map";

describe("protected prefixes", () => {
  const scopeFor = protectMap([
    ["/coordinator", "coordinator"],
    ["/stitcher", "coordinator"],
    ["/ops/admin", "admin"],
    ["/ops", "ops"],
  ]);

  test("a prefix covers itself and everything below it, on segment boundaries only", () => {
    expect(scopeFor("/coordinator")).toBe("coordinator");
    expect(scopeFor("/coordinator/")).toBe("coordinator");
    expect(scopeFor("/coordinator/jobs/1/status")).toBe("coordinator");
    expect(scopeFor("/coordinatorx")).toBeUndefined();
    expect(scopeFor("/coordinatorx/jobs")).toBeUndefined();
    expect(scopeFor("/")).toBeUndefined();
    expect(scopeFor("/workspaces/1/jobs")).toBeUndefined();
  });

  test("the longest matching prefix decides the scope", () => {
    expect(scopeFor("/ops/admin/x")).toBe("admin");
    expect(scopeFor("/ops/adminx")).toBe("ops");
    expect(scopeFor("/ops")).toBe("ops");
  });

  test("the path can be read in place within a request URL, up to its query", () => {
    const url = "http://localhost:3000/coordinator/jobs?x=/ops";
    const start = url.indexOf("/coordinator");
    const end = url.indexOf("?");
    expect(scopeFor(url, start, end)).toBe("coordinator");
    expect(scopeFor("http://h/coordinator?next=/ops", 8, 20)).toBe("coordinator");
    // A prefix that the path only reaches through its query is no match.
    expect(scopeFor("http://h/op?s=/ops", 8, 11)).toBeUndefined();
    expect(scopeFor("http://h/coordinatorx?a", 8, 21)).toBeUndefined();
  });

  test("with nothing protected every path passes", () => {
    expect(protectMap([])("/coordinator/jobs")).toBeUndefined();
  });
});
