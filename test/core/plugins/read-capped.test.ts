import { afterAll, describe, expect, test } from "bun:test";
import { readCapped } from "../../../core/plugins/read-capped";
import { createScopedFetch } from "../../../core/plugins/scoped-fetch";
import { endlessServer } from "../../support/endless-server";

const server = endlessServer();
afterAll(() => server.stop());
const fetch = createScopedFetch("test", [server.host]);

describe("readCapped", () => {
  test("refuses an endless chunked answer at the cap, fast, having pulled little more than the cap", async () => {
    const started = Date.now();
    const rssBefore = process.memoryUsage().rss;
    const response = await fetch(server.url("/endless"), { timeoutMs: 10_000 });
    const error = await readCapped(response, 256 * 1024).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "ERR_FETCH_TOO_LARGE", status: 502 });
    expect(Date.now() - started).toBeLessThan(2000);
    await server.cancelled("/endless");
    expect(server.sent("/endless")).toBeLessThan(32 * 1024 * 1024);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1024 * 1024);
  });

  test("refuses a declared Content-Length over the cap without reading the body", async () => {
    const response = new Response("x".repeat(2000), { headers: { "content-length": "2000" } });
    await expect(readCapped(response, 1000)).rejects.toMatchObject({ code: "ERR_FETCH_TOO_LARGE" });
  });

  test("gives up on a body that trickles in past its timeout", async () => {
    const response = await fetch(server.url("/trickle"), { timeoutMs: 10_000 });
    const started = Date.now();
    await expect(readCapped(response, 256 * 1024, { timeoutMs: 300 })).rejects.toMatchObject({ code: "ERR_FETCH_TIMEOUT" });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test("a trickling body ends at ctx.fetch's own timeout too", async () => {
    const response = await fetch(server.url("/trickle"), { timeoutMs: 300 });
    await expect(readCapped(response, 256 * 1024)).rejects.toMatchObject({ code: "ERR_FETCH_TIMEOUT" });
  });

  test("reads a body within the cap whole, and uses the caller's error past it", async () => {
    expect(new TextDecoder().decode(await readCapped(new Response("hello"), 5))).toBe("hello");
    const tooLarge = () => new Error("too big for this peer");
    await expect(readCapped(new Response("hello!"), 5, { tooLarge })).rejects.toThrow("too big for this peer");
  });
});
