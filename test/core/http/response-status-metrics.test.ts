// The status a request is counted under must be the one the client got: a handler that builds its own
// Response (the console's 303 after sign-in) carries its status there, not in `set.status`.
import { describe, expect, test } from "bun:test";
import { answerNow } from "../../../core/http/answer-now";
import { createHttpApp } from "../../../core/http/create-app";
import { createLogger } from "../../../core/log/json-logger";
import { httpMetrics } from "../../../core/metrics/http-metrics";
import { Registry } from "../../../core/metrics/registry";

const registry = new Registry();
const redirect = () => new Response(null, { status: 303, headers: { location: "/" } });

const app = createHttpApp({
  log: createLogger({ write: () => {} }),
  metrics: httpMetrics(registry),
  bodyLimit: 1024,
  allowedOrigins: ["http://tessera.test"],
})
  .post("/redirect", redirect)
  .post("/redirect-later", async () => {
    await Bun.sleep(1);
    return redirect();
  })
  .post(
    "/redirect-now",
    answerNow(() => redirect()),
  )
  .get("/gone", () => new Response("gone", { status: 410 }));

const counted = (method: string, route: string, status: number): string | undefined =>
  registry
    .render()
    .split("\n")
    .find((line) => line.startsWith(`tessera_http_requests_total{method="${method}",route="${route}",status="${status}"}`));

const call = (method: string, path: string) =>
  app.handle(new Request(`http://tessera.test${path}`, { method, headers: { origin: "http://tessera.test" } }));

describe("HTTP metrics of a handler's own Response", () => {
  test("counts a returned 303 as 303, not as the 200 set.status still holds", async () => {
    expect((await call("POST", "/redirect")).status).toBe(303);
    expect(counted("POST", "/redirect", 303)).toEndWith(" 1");
    expect(counted("POST", "/redirect", 200)).toBeUndefined();
  });

  test("counts a 303 returned after an await as 303", async () => {
    expect((await call("POST", "/redirect-later")).status).toBe(303);
    expect(counted("POST", "/redirect-later", 303)).toEndWith(" 1");
    expect(counted("POST", "/redirect-later", 200)).toBeUndefined();
  });

  test("counts a 303 answered at once by answerNow as 303", async () => {
    expect((await call("POST", "/redirect-now")).status).toBe(303);
    expect(counted("POST", "/redirect-now", 303)).toEndWith(" 1");
    expect(counted("POST", "/redirect-now", 200)).toBeUndefined();
  });

  test("counts a returned 410 as 410", async () => {
    expect((await call("GET", "/gone")).status).toBe(410);
    expect(counted("GET", "/gone", 410)).toEndWith(" 1");
    expect(counted("GET", "/gone", 200)).toBeUndefined();
  });
});
