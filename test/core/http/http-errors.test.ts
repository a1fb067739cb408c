import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { createSession } from "../../../core/identity/sessions";
import { createUser } from "../../../core/identity/users";
import { startTestRuntime, type TestRuntime } from "../../support/test-runtime";

let t: TestRuntime;
const logs: string[] = [];
const METRICS_TOKEN = "metrics-token-for-error-tests";
const operator = { headers: { authorization: `Bearer ${METRICS_TOKEN}` } };
beforeAll(async () => {
  t = await startTestRuntime(
    (dir) => {
      copyFileSync(join(import.meta.dir, "..", "..", "fixtures", "plugins", "greeter.ts"), join(dir, "greeter.ts"));
      return {
        server: { bodyLimit: 1024 },
        metrics: { token: METRICS_TOKEN },
        plugins: { "./greeter.ts": { enabled: true, isolation: "none", permissions: { routes: ["/greeter"] } } },
      };
    },
    { logs },
  );
});
afterAll(() => t.close());

const json = (body: string, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body,
});

describe("HTTP errors are problem+json", () => {
  test("an unknown route is a 404 problem with a stable code and a request id", async () => {
    const response = await t.request("/nowhere");
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const body = await response.json();
    expect(body).toMatchObject({ status: 404, code: "ERR_NOT_FOUND", instance: "/nowhere" });
    expect(body.requestId).toBe(response.headers.get("x-request-id"));
  });

  test("a successful request gets no request id of its own: ids exist to find failures in the log", async () => {
    expect((await t.request("/healthz")).headers.get("x-request-id")).toBeNull();
  });

  test("a safe incoming request id is echoed; an unsafe one is replaced", async () => {
    expect((await t.request("/healthz", { headers: { "x-request-id": "abc-123" } })).headers.get("x-request-id")).toBe("abc-123");
    const replaced = (await t.request("/healthz", { headers: { "x-request-id": "<script>" } })).headers.get("x-request-id");
    expect(replaced).not.toBe("<script>");
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("malformed JSON is a 400 for a caller allowed to send it, and a 401 first for anyone else", async () => {
    expect((await t.request("/workspaces", json("{not json"))).status).toBe(401);
    const user = await createUser(t.runtime.db, { email: "errors@example.test" });
    const { token } = await createSession(t.runtime.db, user.id, { ttlMs: 60_000 });
    const response = await t.request("/workspaces", json("{not json", { authorization: `Bearer ${token}` }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "ERR_BAD_REQUEST" });
  });

  test("a body over the limit is a 413 before anything reads it", async () => {
    const body = JSON.stringify({ name: "x".repeat(2000) });
    const response = await t.request("/workspaces", json(body, { "content-length": String(body.length) }));
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: "ERR_BODY_TOO_LARGE" });
  });

  test("an unexpected error is a 500 that leaks neither message nor stack, and is logged with its cause", async () => {
    const response = await t.request("/greeter/boom");
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toContain("secret internals");
    expect(text).not.toContain("tss_");
    expect(text).not.toContain(".ts:");
    expect(JSON.parse(text)).toMatchObject({ code: "ERR_INTERNAL" });
    const logged = logs.find((line) => line.includes("request failed"));
    expect(logged).toContain("secret internals");
    expect(logged).not.toContain("tss_abcdefabcdefabcdefabcdef");
  });

  test("readiness reports the database and every plugin", async () => {
    const response = await t.request("/readyz", operator);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: "ready",
      checks: { database: { ok: true }, "plugin:greeter": { ok: true } },
    });
  });

  test("metrics count requests by route pattern, not raw path", async () => {
    await t.request("/greeter/env/ANY");
    // Metrics are recorded after the response has gone out.
    await Bun.sleep(10);
    const text = await (await t.request("/metrics", operator)).text();
    expect(text).toContain('tessera_http_requests_total{method="GET",route="/greeter/env/:name",status="500"} 1');
    expect(text).toContain('route="unmatched",status="404"');
    expect(text).not.toContain("/greeter/env/ANY");
  });

  test("the OpenAPI document lists core and plugin routes", async () => {
    const document = await (await t.request("/openapi")).json();
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(["/me", "/workspaces", "/readyz", "/greeter/hello"]));
  });
});
