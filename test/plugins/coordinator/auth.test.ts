import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { generateApiKey } from "../../../plugins/api-key/keyring";
import { type CoordinatorRuntime, serviceKeys, startCoordinator } from "./coordinator-runtime";
import { fill, fillBody, ROUTES } from "./routes";

const SERVICE_ROUTES = ROUTES.filter((route) => route.audience === "service");

describe("the coordinator's routes behind the API-key guard", () => {
  let c: CoordinatorRuntime;
  let ids: { job: string; workspace: string };
  let jobsBefore = 0;

  beforeAll(async () => {
    c = await startCoordinator();
    const job = await (await c.call("POST", "/coordinator/jobs", { workspaceId: c.workspaceId, type: "build" })).json();
    ids = { job: job.id, workspace: c.workspaceId };
    jobsBefore = (await c.t.runtime.db.orm.select().from(c.t.runtime.db.tables.jobs)).length;
  });
  afterAll(() => c.close());

  const send = (route: (typeof ROUTES)[number], headers: HeadersInit, query = "") => {
    const body = fillBody(route.body, ids);
    const all = new Headers(headers);
    if (body !== undefined) all.set("content-type", "application/json");
    return c.t.request(fill(route.path, ids) + query, {
      method: route.method,
      headers: all,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  };

  const refusals: [string, HeadersInit, number][] = [
    ["no key", {}, 401],
    ["an empty key", { "x-api-key": "" }, 401],
    ["a wrong key", { "x-api-key": generateApiKey() }, 401],
    ["an expired key", { "x-api-key": serviceKeys.expired }, 401],
    ["a key without the coordinator scope", { "x-api-key": serviceKeys.chat }, 403],
    [
      "a duplicated header",
      [
        ["x-api-key", serviceKeys.coordinator],
        ["x-api-key", serviceKeys.coordinator],
      ],
      400,
    ],
  ];

  for (const [what, headers, status] of refusals) {
    test(`every service route refuses ${what} with ${status} problem+json and the ApiKey challenge`, async () => {
      for (const route of SERVICE_ROUTES) {
        const response = await send(route, headers);
        expect({ route: route.path, status: response.status }).toEqual({ route: route.path, status });
        expect(response.headers.get("content-type")).toBe("application/problem+json");
        expect(response.headers.get("www-authenticate")).toStartWith('ApiKey header="X-API-Key"');
      }
    });
  }

  test("every service route refuses a key in the query string, even alongside a valid header", async () => {
    for (const route of SERVICE_ROUTES) {
      const response = await send(route, { "x-api-key": serviceKeys.coordinator }, `?api_key=${serviceKeys.coordinator}`);
      expect({ route: route.path, status: response.status }).toEqual({ route: route.path, status: 400 });
      expect((await response.json()).detail).toContain("X-API-Key header");
    }
  });

  test("nothing was written by any refused request", async () => {
    expect((await c.t.runtime.db.orm.select().from(c.t.runtime.db.tables.jobs)).length).toBe(jobsBefore);
    const job = await (await c.call("GET", `/coordinator/jobs/${ids.job}`)).json();
    expect(job).toMatchObject({ status: "pending", progress: 0 });
  });

  test("every service route accepts the key under any header letter case", async () => {
    // The routes run in order on one job: it is completed by the time `fail` is tried.
    const expected: Record<string, number> = {
      "POST /coordinator/jobs": 201,
      "POST /coordinator/jobs/:job/fail": 409,
      "POST /stitcher/webhook": 201,
      "POST /stitcher/dispatch": 201,
    };
    const names = ["x-api-key", "X-API-KEY", "X-Api-Key"];
    for (const [i, route] of SERVICE_ROUTES.entries()) {
      const response = await send(route, { [names[i % names.length] ?? "x-api-key"]: serviceKeys.coordinator });
      expect({ route: route.path, status: response.status }).toEqual({
        route: route.path,
        status: expected[`${route.method} ${route.path}`] ?? 200,
      });
    }
  });
});

describe("the coordinator without a protect entry for its prefixes", () => {
  let c: CoordinatorRuntime;
  let ids: { job: string; workspace: string };
  beforeAll(async () => {
    c = await startCoordinator({ protect: {} });
    const job = await (await c.call("POST", "/coordinator/jobs", { workspaceId: c.workspaceId, type: "build" })).json();
    ids = { job: job.id, workspace: c.workspaceId };
  });
  afterAll(() => c.close());

  test("still refuses callers without a valid key, and signed-in users, before reading the body", async () => {
    for (const route of SERVICE_ROUTES) {
      const path = fill(route.path, ids);
      const anonymous = await c.t.request(path, {
        method: route.method,
        headers: { "content-type": "application/json" },
        body: route.body === undefined ? undefined : "{bad",
      });
      expect({ path, status: anonymous.status }).toEqual({ path, status: 401 });
      const wrong = await c.t.request(path, { method: route.method, headers: { "x-api-key": generateApiKey() } });
      expect({ path, status: wrong.status }).toEqual({ path, status: 401 });
      const user = await c.t.request(path, { method: route.method, headers: { authorization: `Bearer ${c.tokens.owner}` } });
      expect({ path, status: user.status }).toEqual({ path, status: 403 });
    }
  });

  test("refuses a key without the coordinator scope on every service route: the coordinator checks the scope itself", async () => {
    for (const route of SERVICE_ROUTES) {
      const path = fill(route.path, ids);
      const body = fillBody(route.body, ids);
      const response = await c.call(route.method, path, body, { "x-api-key": serviceKeys.chat });
      expect({ path, status: response.status }).toEqual({ path, status: 403 });
      expect(response.headers.get("www-authenticate")).toContain('error="insufficient_scope", scope="coordinator"');
    }
    expect((await c.call("GET", `/coordinator/jobs/${ids.job}`)).status).toBe(200);
  });
});
