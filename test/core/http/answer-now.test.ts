// Handlers that answer at once when they can: Elysia must call them without awaiting, and whatever
// they hand back later (a value, a rejection, a drizzle query builder) must come out exactly as an
// awaited handler's would, problem+json, request id and metrics included.
import { describe, expect, test } from "bun:test";
import { type AnyElysia, Elysia } from "elysia";
import { createBunRouteHandler } from "elysia/adapter/bun/compose";
import { andThen, isPromiseLike } from "../../../core/async/maybe-promise";
import { conflict } from "../../../core/errors/tessera-error";
import { answerNow, hookLater, hookNow, mapResponseNow, upgradeNow } from "../../../core/http/answer-now";
import { createHttpApp } from "../../../core/http/create-app";
import { createLogger } from "../../../core/log/json-logger";
import { httpMetrics } from "../../../core/metrics/http-metrics";
import { Registry } from "../../../core/metrics/registry";

const registry = new Registry();
const logs: string[] = [];
// biome-ignore lint/suspicious/noThenProperty: a thenable that is not a Promise (as drizzle's builders are) is the case under test.
const thenable = (value: unknown) => ({ then: (resolve: (value: unknown) => void) => resolve(value) });
let hookCalls = 0;

const app = createHttpApp({
  log: createLogger({ write: (line) => logs.push(line) }),
  metrics: httpMetrics(registry),
  bodyLimit: 1024,
  allowedOrigins: ["http://tessera.test"],
})
  .onRequest(
    hookNow(() => {
      hookCalls++;
    }),
  )
  .get(
    "/now",
    answerNow(() => ({ at: "once" })),
  )
  .get(
    "/later",
    answerNow(async () => {
      await Bun.sleep(1);
      return { at: "later" };
    }),
  )
  .get(
    "/refused-later",
    answerNow(async () => {
      await Bun.sleep(1);
      throw conflict("Not now", { path: "x" });
    }),
  )
  .get(
    "/broken-later",
    answerNow(async () => {
      await Bun.sleep(1);
      throw new Error("the database went away");
    }),
  )
  .get(
    "/refused-now",
    answerNow(() => {
      throw conflict("Not ever");
    }),
  )
  .get(
    "/thenable/:id",
    answerNow(({ params }) => thenable({ id: params.id })),
  );

const get = (path: string) => app.handle(new Request(`http://tessera.test${path}`));

describe("answerNow handlers", () => {
  test("Elysia calls them plainly: the compiled route does not await", () => {
    const route = app.router.history.find((candidate) => candidate.path === "/now");
    expect(route?.compile?.().toString()).not.toContain("await handler");
  });

  test("a value at once and a value later answer alike", async () => {
    for (const [path, at] of [
      ["/now", "once"],
      ["/later", "later"],
    ]) {
      const response = await app.handle(new Request(`http://tessera.test${path}`, { headers: { "x-request-id": "trace-1" } }));
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ at });
      expect(response.headers.get("x-request-id")).toBe("trace-1");
    }
  });

  test("a refusal that comes later is problem+json with its own status, code and the request id", async () => {
    const response = await get("/refused-later");
    expect(response.status).toBe(409);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const body = await response.json();
    expect(body).toMatchObject({ code: "ERR_CONFLICT", detail: "Not now", path: "x", instance: "/refused-later" });
    expect(body.requestId).toBe(response.headers.get("x-request-id"));
  });

  test("a failure that comes later is a logged 500 that says nothing of the cause", async () => {
    const response = await get("/broken-later");
    expect(response.status).toBe(500);
    const body = await response.json();
    expect(body).toMatchObject({ code: "ERR_INTERNAL" });
    expect(JSON.stringify(body)).not.toContain("database");
    expect(logs.some((line) => line.includes("the database went away") && line.includes(body.requestId))).toBe(true);
  });

  test("a refusal thrown at once goes through onError as before", async () => {
    const response = await get("/refused-now");
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ code: "ERR_CONFLICT", detail: "Not ever" });
  });

  test("a thenable that is not a Promise (a drizzle query builder) is waited for", async () => {
    const response = await get("/thenable/42");
    expect(await response.json()).toEqual({ id: "42" });
  });

  test("requests answered later are counted with their final status", () => {
    const text = registry.render();
    expect(text).toContain('tessera_http_requests_total{method="GET",route="/refused-later",status="409"} 1');
    expect(text).toContain('tessera_http_requests_total{method="GET",route="/later",status="200"} 1');
  });
});

// One test per wrapper, each beside a control that looks asynchronous, so that a change in how Elysia
// reads a function's source shows up here and not as a slower server.
const compiledRoute = (app: AnyElysia, path: string) => {
  const route = app.router.history.find((candidate) => candidate.path === path);
  if (!route?.compile) throw new Error(`no compiled route for ${path}`);
  return route.compile().toString();
};

const bunEntry = (app: AnyElysia, path: string) => {
  const route = app.router.history.find((candidate) => candidate.path === path);
  if (!route) throw new Error(`no route for ${path}`);
  return createBunRouteHandler(app, route).toString();
};

describe("Elysia's reading of each wrapper", () => {
  test("answerNow: the route calls the handler without awaiting it, where an async handler is awaited", () => {
    const plain = new Elysia().get(
      "/",
      answerNow(() => "now"),
    );
    const awaited = new Elysia().get("/", async () => "later");
    expect(compiledRoute(plain, "/")).toStartWith("function handle(");
    expect(compiledRoute(plain, "/")).not.toContain("await handler");
    expect(compiledRoute(awaited, "/")).toStartWith("async function handle(");
    expect(compiledRoute(awaited, "/")).toContain("await handler");
  });

  test("hookNow: Bun's entry for a route calls the hook plainly, where an async hook makes it wait", async () => {
    let calls = 0;
    const plain = new Elysia()
      .onRequest(
        hookNow(() => {
          calls++;
        }),
      )
      .get("/", () => "ok");
    const awaited = new Elysia()
      .onRequest(async () => {
        calls++;
      })
      .get("/", () => "ok");
    expect(bunEntry(plain, "/")).toContain("onRequest[0](c)");
    expect(bunEntry(plain, "/")).not.toContain("await");
    expect(bunEntry(awaited, "/")).toContain("await");
    await plain.handle(new Request("http://tessera.test/"));
    expect(calls).toBe(1);
  });

  test("hookLater: Bun's entry awaits the hook even when its body reads as plain, so its refusal and headers count", async () => {
    const refuseLater = ({ request, set }: { request: Request; set: { headers: Record<string, string | number> } }) => {
      const waited = Bun.sleep(1);
      set.headers["x-checked"] = "yes";
      if (request.url.endsWith("/refused")) return waited.then(() => Promise.reject(conflict("Refused later")));
      return waited;
    };
    const waits = createHttpApp({
      log: createLogger({ write: () => undefined }),
      metrics: httpMetrics(new Registry()),
      bodyLimit: 1024,
      allowedOrigins: ["http://tessera.test"],
    })
      .onRequest(hookLater(refuseLater))
      .get("/ok", () => "ok")
      .get("/refused", () => "never");
    expect(bunEntry(waits, "/ok")).toContain("await");
    const refused = await waits.handle(new Request("http://tessera.test/refused"));
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ code: "ERR_CONFLICT", detail: "Refused later" });
    const passed = await waits.handle(new Request("http://tessera.test/ok"));
    expect(await passed.text()).toBe("ok");
    expect(passed.headers.get("x-checked")).toBe("yes");
  });

  test("upgradeNow: the route parses the query and the server but does not await the handler", async () => {
    const upgrades = new Elysia().get(
      "/ws",
      upgradeNow(({ server, query }) => ({ server, query })),
    );
    const awaited = new Elysia().get("/ws", async ({ server, query }) => ({ server: server !== null, query }));
    const compiled = compiledRoute(upgrades, "/ws");
    expect(compiled).toStartWith("function handle(");
    expect(compiled).not.toContain("await handler");
    expect(compiled).toContain("parseQueryFromURL");
    expect(compiled).toContain("'server'");
    expect(compiledRoute(awaited, "/ws")).toContain("await handler");
    const response = await upgrades.handle(new Request("http://tessera.test/ws?ticket=t1"));
    expect(await response.json()).toEqual({ server: null, query: { ticket: "t1" } });
  });

  test("upgradeNow: an upgrade that has to wait still answers through the root app", async () => {
    const later = createHttpApp({
      log: createLogger({ write: () => undefined }),
      metrics: httpMetrics(new Registry()),
      bodyLimit: 1024,
      allowedOrigins: ["http://tessera.test"],
    }).get(
      "/ws",
      upgradeNow(async ({ query }) => {
        await Bun.sleep(1);
        throw conflict("Not upgraded", { path: String(query.ticket) });
      }),
    );
    const response = await later.handle(new Request("http://tessera.test/ws?ticket=t2"));
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ code: "ERR_CONFLICT", path: "t2" });
  });

  test("mapResponseNow: routes it covers stay plain functions, where an async mapResponse makes them async", () => {
    const plain = new Elysia().mapResponse(mapResponseNow(() => undefined)).get("/", () => "ok");
    const awaited = new Elysia().mapResponse(async () => undefined).get("/", () => "ok");
    expect(compiledRoute(plain, "/")).toStartWith("function handle(");
    expect(compiledRoute(awaited, "/")).toStartWith("async function handle(");
  });

  test("the root app's own hooks keep every route a plain function, and a hookNow hook on it runs each request", async () => {
    expect(compiledRoute(app, "/now")).toStartWith("function handle(");
    expect(bunEntry(app, "/now")).not.toContain("await");
    const before = hookCalls;
    await get("/now");
    expect(hookCalls).toBe(before + 1);
  });
});

describe("andThen", () => {
  test("calls on at once for a value, and after settling for a promise or thenable", async () => {
    expect(andThen(2, (n) => n * 2)).toBe(4);
    expect(await andThen(Promise.resolve(2), (n) => n * 2)).toBe(4);
    const later = andThen(thenable(3) as unknown as Promise<number>, (n) => n * 2);
    expect(isPromiseLike(later)).toBe(true);
    expect(await later).toBe(6);
    // biome-ignore lint/suspicious/noThenProperty: a `then` that is not a function makes no thenable.
    expect(isPromiseLike({ then: 1 })).toBe(false);
    expect(isPromiseLike(null)).toBe(false);
  });
});
