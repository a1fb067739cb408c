import { describe, expect, test } from "bun:test";
import { requestMemo } from "../../../core/http/request-memo";

describe("requestMemo", () => {
  test("keeps a value for the request it was set on, and only that one", () => {
    const memo = requestMemo<number>("start");
    const first = new Request("http://localhost/a");
    const second = new Request("http://localhost/a");
    expect(memo.get(first)).toBeUndefined();
    memo.set(first, 42);
    expect(memo.get(first)).toBe(42);
    expect(memo.get(second)).toBeUndefined();
  });

  test("two memos of the same name do not share a slot", () => {
    const one = requestMemo<string>("principal");
    const other = requestMemo<string>("principal");
    const request = new Request("http://localhost/");
    one.set(request, "mine");
    expect(other.get(request)).toBeUndefined();
    other.set(request, "theirs");
    expect(one.get(request)).toBe("mine");
  });

  test("leaves the request's own behaviour and enumerable shape alone", async () => {
    const memo = requestMemo<{ id: string }>("state");
    const request = new Request("http://localhost/x", { method: "POST", body: "hello", headers: { "x-a": "1" } });
    memo.set(request, { id: "r1" });
    expect(Object.keys(request)).toEqual(Object.keys(new Request("http://localhost/x")));
    expect(request.headers.get("x-a")).toBe("1");
    expect(await request.text()).toBe("hello");
    expect(memo.get(request)).toEqual({ id: "r1" });
  });

  test("works on the requests Bun.serve hands a handler", async () => {
    const memo = requestMemo<number>("served");
    const server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch(request) {
        const before = memo.get(request);
        memo.set(request, 7);
        return Response.json({ before: before ?? null, after: memo.get(request) });
      },
    });
    try {
      for (let i = 0; i < 2; i++) {
        const answer = await fetch(`http://127.0.0.1:${server.port}/`);
        expect(await answer.json()).toEqual({ before: null, after: 7 });
      }
    } finally {
      server.stop(true);
    }
  });
});
