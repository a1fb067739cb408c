import { describe, expect, test } from "bun:test";
import { acceptsEventStream } from "../../../../plugins/websocket/sse/accepts";

describe("accepting text/event-stream", () => {
  test("no Accept header, or an empty one, accepts anything", () => {
    expect(acceptsEventStream(null)).toBe(true);
    expect(acceptsEventStream("  ")).toBe(true);
  });

  test("the exact type, text/* and */* (curl's default) are accepted, in any case and among others", () => {
    for (const accept of [
      "text/event-stream",
      "TEXT/Event-Stream",
      "text/*",
      "*/*",
      "application/json, text/event-stream;q=0.5",
    ]) {
      expect(acceptsEventStream(accept)).toBe(true);
    }
  });

  test("other types, and ranges with q=0, are refused", () => {
    for (const accept of ["application/json", "text/html", "text/event-stream;q=0", "*/*;q=0", "text/event-stream; q=nope"]) {
      expect(acceptsEventStream(accept)).toBe(false);
    }
  });

  test("the most specific matching range decides", () => {
    expect(acceptsEventStream("text/event-stream;q=0, */*")).toBe(false);
    expect(acceptsEventStream("*/*;q=0, text/event-stream")).toBe(true);
    expect(acceptsEventStream("text/*;q=0, */*;q=1")).toBe(false);
  });
});
