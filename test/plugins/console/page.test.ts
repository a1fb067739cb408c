// GET / and its assets: a page that loads nothing but this site's own files, under a strict CSP,
// with a script bundled from the plugin's sources and cache headers keyed to content hashes.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TestRuntime } from "../../support/test-runtime";
import { startConsole } from "./console-runtime";

describe("the console page", () => {
  let runtime: TestRuntime;
  let html = "";
  let page: Response;

  beforeAll(async () => {
    runtime = await startConsole();
    page = await runtime.request("/");
    html = await page.text();
  });
  afterAll(() => runtime.close());

  const assetUrl = (kind: "js" | "css") => {
    const url = new RegExp(`/console/app\\.${kind}\\?v=[0-9a-f]+`).exec(html)?.[0];
    if (!url) throw new Error(`no ${kind} URL in the page`);
    return url;
  };

  test("serves HTML with a strict Content-Security-Policy and no framing", () => {
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("connect-src 'self' ws://localhost:3000");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
  });

  test("has no inline script or style and loads nothing from another origin", () => {
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=|<style/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  test("tells the script the WebSocket path, the public URL and the allowed origins, in meta tags", () => {
    expect(html).toContain('<meta name="tessera-websocket-path" content="/ws">');
    expect(html).toContain('<meta name="tessera-public-url" content="http://localhost:3000">');
    expect(html).toContain('<meta name="tessera-allowed-origins" content="http://localhost:3000">');
  });

  test("is revalidated on every load, and a matching ETag gets a 304", async () => {
    expect(page.headers.get("cache-control")).toBe("no-cache");
    const etag = page.headers.get("etag") ?? "";
    const again = await runtime.request("/", { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
  });

  test("serves the bundled script, with the websocket client in it, cached for good at its versioned URL", async () => {
    const script = await runtime.request(assetUrl("js"));
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(script.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const code = await script.text();
    expect(code).toContain("/ws/ticket");
    expect(code).not.toMatch(/^import /m);
  });

  test("revalidates a script URL whose version is not the current one", async () => {
    const stale = await runtime.request("/console/app.js?v=0000");
    expect(stale.status).toBe(200);
    expect(stale.headers.get("cache-control")).toBe("no-cache");
  });

  test("serves the stylesheet as CSS", async () => {
    const style = await runtime.request(assetUrl("css"));
    expect(style.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(await style.text()).toContain(":focus-visible");
  });
});
