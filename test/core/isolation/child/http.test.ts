import { afterEach, describe, expect, test } from "bun:test";
import { TesseraError } from "../../../../core/errors/tessera-error";
import type { HttpResult } from "../../../../core/isolation/wire/protocol";
import { json, type RunningChild, send, setUpChild } from "./run-child";

let child: RunningChild | undefined;
afterEach(() => child?.kill());

describe("requests forwarded to the child", () => {
  test("a route answers with its status, headers and body", async () => {
    child = await setUpChild();
    const answer = await send(child, "GET", "/probe/hello");
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toStartWith("application/json");
    expect(await json(answer)).toEqual({ hello: "world" });
  });

  test("a small answer complete at once crosses inside the reply; a large one as a stream (the inline fast path)", async () => {
    child = await setUpChild();
    const params = { method: "GET", headers: [], requestId: "r", clientAddress: "203.0.113.9" };
    const small = (await child.channel.call("http", {
      ...params,
      request: 1,
      url: "http://localhost:3000/probe/hello",
    })) as HttpResult;
    expect(small.body).toBeUndefined();
    expect(Buffer.from(small.inline ?? "", "base64").toString()).toBe('{"hello":"world"}');
    const body = child.channel.sendStream(new Response(new Uint8Array(200_000)).body as ReadableStream<Uint8Array>);
    const large = (await child.channel.call("http", {
      ...params,
      method: "POST",
      request: 2,
      url: "http://localhost:3000/probe/echo",
      body,
    })) as HttpResult;
    expect(large.inline).toBeUndefined();
    expect(typeof large.body).toBe("number");
  });

  test("a 1 MB body streams through the plugin and back intact", async () => {
    child = await setUpChild();
    const bytes = new Uint8Array(1024 * 1024).map((_, i) => (i * 31 + 7) % 251);
    const answer = await send(child, "POST", "/probe/echo", { body: bytes, headers: { "content-type": "application/x-probe" } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("application/x-probe");
    const back = new Uint8Array(await new Response(answer.body).arrayBuffer());
    expect(back.length).toBe(bytes.length);
    expect(Buffer.from(back).equals(Buffer.from(bytes))).toBe(true);
  });

  test("an event stream arrives event by event, not at its end", async () => {
    child = await setUpChild();
    const answer = await send(child, "GET", "/probe/sse");
    expect(answer.headers.get("content-type")).toBe("text/event-stream");
    const reader = answer.body?.getReader();
    if (!reader) throw new Error("no body");
    const arrivals: { at: number; text: string }[] = [];
    const started = performance.now();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      arrivals.push({ at: performance.now() - started, text: new TextDecoder().decode(value) });
    }
    expect(arrivals.map((chunk) => chunk.text).join("")).toBe(
      "id: 1\nevent: tick\ndata: 1\n\nid: 2\nevent: tick\ndata: 2\n\nid: 3\nevent: tick\ndata: 3\n\n",
    );
    expect(arrivals.length).toBe(3);
    expect((arrivals[2]?.at ?? 0) - (arrivals[0]?.at ?? 0)).toBeGreaterThan(60);
  });

  test("a body its route's schema refuses is the core's ERR_VALIDATION problem", async () => {
    child = await setUpChild();
    const error = await send(child, "POST", "/probe/items", {
      body: JSON.stringify({ text: 7 }),
      headers: { "content-type": "application/json" },
    }).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(TesseraError);
    expect(error).toMatchObject({ code: "ERR_VALIDATION", status: 422 });
    expect((error as TesseraError).details?.errors).toEqual([{ path: "/text", message: "Expected string", in: "body" }]);
  });

  test("a body nested past server.maxJsonDepth is refused before validation", async () => {
    child = await setUpChild({}, {}, { maxJsonDepth: 3 });
    const error = await send(child, "POST", "/probe/items", {
      body: JSON.stringify({ text: [[[["deep"]]]] }),
      headers: { "content-type": "application/json" },
    }).catch((reason: unknown) => reason);
    expect(error).toMatchObject({ code: "ERR_JSON_TOO_DEEP", status: 400, details: { maxDepth: 3 } });
  });
});
