import { afterAll, describe, expect, test } from "bun:test";
import { PermissionDenied } from "../../../core/errors/permission-denied";
import { createScopedFetch } from "../../../core/plugins/scoped-fetch";

const seen: { path: string; authorization: string | null }[] = [];
const server: Bun.Server<undefined> = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(request): Promise<Response> {
    const url = new URL(request.url);
    seen.push({ path: url.pathname, authorization: request.headers.get("authorization") });
    if (url.pathname === "/hop") return Response.redirect(`http://127.0.0.1:${server.port}/ok`, 302);
    if (url.pathname === "/away") return Response.redirect("http://evil.invalid/steal", 302);
    if (url.pathname === "/other-origin") return Response.redirect(`http://localhost:${server.port}/ok`, 307);
    if (url.pathname === "/loop") return Response.redirect(`http://127.0.0.1:${server.port}/loop`, 302);
    if (url.pathname === "/slow") await Bun.sleep(500);
    return new Response("ok");
  },
});
const host = `127.0.0.1:${server.port}`;
afterAll(() => server.stop(true));

describe("ctx.fetch", () => {
  test("refuses an ungranted host, naming the plugin, the host and the config line", async () => {
    const scoped = createScopedFetch("greeter", []);
    const error = await scoped(`http://${host}/ok`).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PermissionDenied);
    expect(error).toMatchObject({ code: "ERR_PERMISSION_NET", plugin: "greeter", value: host });
    expect(String((error as Error).message)).toContain(`plugins["greeter"].permissions.net: ["${host}"]`);
  });

  test("follows a redirect within granted hosts", async () => {
    const response = await createScopedFetch("greeter", [host])(`http://${host}/hop`);
    expect(await response.text()).toBe("ok");
  });

  test("re-checks every redirect hop and refuses one to an ungranted host", async () => {
    const error = await createScopedFetch("greeter", [host])(`http://${host}/away`).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "ERR_PERMISSION_NET", value: "evil.invalid" });
  });

  test("drops credentials on a redirect to another origin", async () => {
    seen.length = 0;
    const scoped = createScopedFetch("greeter", [host, `localhost:${server.port}`]);
    await scoped(`http://${host}/other-origin`, { headers: { authorization: "Bearer secret" } });
    expect(seen).toEqual([
      { path: "/other-origin", authorization: "Bearer secret" },
      { path: "/ok", authorization: null },
    ]);
  });

  test("stops after too many redirects", async () => {
    const error = await createScopedFetch("greeter", [host])(`http://${host}/loop`, { maxRedirects: 3 }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: "ERR_FETCH_REDIRECT" });
  });

  test("times out", async () => {
    const started = performance.now();
    const error = await createScopedFetch("greeter", [host])(`http://${host}/slow`, { timeoutMs: 100 }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: "ERR_FETCH_TIMEOUT" });
    expect(performance.now() - started).toBeLessThan(450);
  });
});
