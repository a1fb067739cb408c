import { describe, expect, test } from "bun:test";
import { pathEnd, pathStart, requestPath } from "../../../core/http/request-path";

describe("request paths without a URL object", () => {
  test("the raw path, without the query, still percent-encoded", () => {
    expect(requestPath("http://localhost:3000/a/b?x=1")).toBe("/a/b");
    expect(requestPath("http://localhost/%63oordinator")).toBe("/%63oordinator");
    expect(requestPath("https://example.com/")).toBe("/");
    expect(requestPath("http://localhost")).toBe("/");
    expect(requestPath("http://localhost/a?b=/c")).toBe("/a");
  });

  test("its bounds within the URL, for reading it in place", () => {
    const url = "http://h:1/jobs/7?since=/x";
    const start = pathStart(url);
    expect(url.slice(start, pathEnd(url, start))).toBe("/jobs/7");
    expect(pathEnd("http://h/a", pathStart("http://h/a"))).toBe("http://h/a".length);
  });

  test("a one-letter host and a URL without an authority (no usable Host) keep their whole path", () => {
    expect(requestPath("http://a/xx/coordinator/jobs")).toBe("/xx/coordinator/jobs");
    expect(requestPath("/coordinator/jobs?x=/y")).toBe("/coordinator/jobs");
    expect(requestPath("//coordinator/jobs")).toBe("//coordinator/jobs");
  });
});
