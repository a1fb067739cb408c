import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestRuntime, type TestRuntime } from "../../support/test-runtime";

const TOKEN = "metrics-token-for-tests-0123456789";
const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

describe("operational endpoints with neither a metrics token nor a metrics listener", () => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await startTestRuntime({ plugins: {} });
  });
  afterAll(() => t.close());

  test("refuses /metrics on the public listener with a 404 problem, token or not", async () => {
    for (const init of [{}, bearer(TOKEN)]) {
      const response = await t.request("/metrics", init);
      expect(response.status).toBe(404);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      const text = await response.text();
      expect(text).not.toContain("tessera_");
      expect(JSON.parse(text)).toMatchObject({ code: "ERR_NOT_FOUND" });
    }
  });

  test("readiness tells the public its status and nothing about what is inside", async () => {
    const response = await t.request("/readyz");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ready" });
  });

  test("liveness stays public", async () => {
    expect(await (await t.request("/healthz")).json()).toEqual({ status: "ok" });
  });
});

describe("operational endpoints behind metrics.token", () => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await startTestRuntime({ plugins: {}, metrics: { token: "${METRICS_TOKEN}" } }, { env: { METRICS_TOKEN: TOKEN } });
  });
  afterAll(() => t.close());

  test("refuses /metrics without a token, asking for a bearer token", async () => {
    const response = await t.request("/metrics");
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain("Bearer");
    expect(await response.json()).toMatchObject({ code: "ERR_UNAUTHENTICATED" });
  });

  test("refuses /metrics with a wrong token, a prefix of the right one, or another scheme", async () => {
    for (const init of [
      bearer("metrics-token-for-tests-0123456780"),
      bearer(TOKEN.slice(0, -1)),
      bearer(`${TOKEN}0`),
      { headers: { authorization: `Basic ${TOKEN}` } },
      { headers: { authorization: `Bearer ${TOKEN} ${TOKEN}` } },
    ]) {
      const response = await t.request("/metrics", init);
      expect(response.status).toBe(401);
      expect(await response.text()).not.toContain("tessera_");
    }
  });

  test("serves /metrics to the bearer of the token", async () => {
    const response = await t.request("/metrics", bearer(TOKEN));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    expect(await response.text()).toContain("tessera_http_requests_total");
  });

  test("readiness is detailed for the bearer of the token, status only without, and 401 with a wrong one", async () => {
    expect(await (await t.request("/readyz", bearer(TOKEN))).json()).toEqual({
      status: "ready",
      checks: { database: { ok: true } },
    });
    expect(await (await t.request("/readyz")).json()).toEqual({ status: "ready" });
    expect((await t.request("/readyz", bearer("not-the-metrics-token-at-all"))).status).toBe(401);
  });

  test("the OpenAPI document says /metrics needs a bearer token", async () => {
    const document = await (await t.request("/openapi")).json();
    expect(document.paths["/metrics"].get.security).toEqual([{ metricsToken: [] }]);
    expect(document.components.securitySchemes.metricsToken).toMatchObject({ type: "http", scheme: "bearer" });
  });
});

describe("operational endpoints on metrics.listen", () => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await startTestRuntime({ plugins: {}, metrics: { listen: "127.0.0.1:9464" } });
  });
  afterAll(() => t.close());

  test("moves /metrics and the detailed /readyz off the public listener", async () => {
    expect((await t.request("/metrics")).status).toBe(404);
    expect(await (await t.request("/readyz")).json()).toEqual({ status: "ready" });
  });

  test("serves them on the metrics listener", async () => {
    const operations = t.runtime.operations;
    expect(operations).toMatchObject({ hostname: "127.0.0.1", port: 9464 });
    const at = (path: string) => operations?.app.handle(new Request(`http://127.0.0.1:9464${path}`)) ?? Promise.reject();
    expect(await (await at("/metrics")).text()).toContain("tessera_");
    expect(await (await at("/readyz")).json()).toEqual({ status: "ready", checks: { database: { ok: true } } });
  });
});

describe("metrics config", () => {
  test("refuses a metrics token shorter than 16 characters without echoing it", async () => {
    const error = await startTestRuntime(
      { plugins: {}, metrics: { token: "${METRICS_TOKEN}" } },
      { env: { METRICS_TOKEN: "short-secret" } },
    ).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: "ERR_CONFIG_INVALID" });
    expect(String((error as Error).message)).toContain("metrics.token");
    expect(String((error as Error).message)).not.toContain("short-secret");
  });
});
