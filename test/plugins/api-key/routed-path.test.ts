// Attack: the guard decided on one path while the router routed another. A request without a usable
// Host has no authority in request.url, and Elysia's router skips a fixed number of characters before
// it looks for the path; either way a key without the route's scope reached the coordinator.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type CoordinatorRuntime, serviceKeys, startCoordinator } from "../coordinator/coordinator-runtime";

/** A request whose URL is what Bun makes of one with no Host header (or an invalid one): the bare path. */
const hostless = (path: string, init: RequestInit): Request => {
  const request = new Request(new URL(path, "http://localhost"), init);
  Object.defineProperty(request, "url", { value: path });
  return request;
};

describe("the API-key guard decides on the path the router routes", () => {
  let c: CoordinatorRuntime;
  let jobsBefore = 0;
  const jobCount = async () => (await c.t.runtime.db.orm.select().from(c.t.runtime.db.tables.jobs)).length;

  beforeAll(async () => {
    c = await startCoordinator();
    jobsBefore = await jobCount();
  });
  afterAll(() => c.close());

  const createJob = (key: string) => ({
    method: "POST",
    headers: { "x-api-key": key, "content-type": "application/json" },
    body: JSON.stringify({ workspaceId: c.workspaceId, type: "build" }),
  });

  test("refuses a request without a Host header with 400 ERR_BAD_HOST before any route runs", async () => {
    const response = await c.t.runtime.app.handle(hostless("/coordinator/jobs", createJob(serviceKeys.chat)));
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(await response.json()).toMatchObject({ code: "ERR_BAD_HOST", instance: "/coordinator/jobs" });
    expect(await jobCount()).toBe(jobsBefore);
  });

  test("refuses a key without the coordinator scope behind a one-letter Host, where the router once skipped a segment", async () => {
    for (const path of ["/xx/coordinator/jobs", "/xxxxxx/coordinator/jobs"]) {
      const response = await c.t.runtime.app.handle(new Request(`http://a${path}`, createJob(serviceKeys.chat)));
      expect(response.status).toBe(404);
    }
    expect(await jobCount()).toBe(jobsBefore);
  });

  test("refuses encoded, doubled and dot-segment spellings of a protected path, or routes them nowhere", async () => {
    for (const path of [
      "/coordinator/../coordinator/jobs",
      "//coordinator/jobs",
      "/%63oordinator/jobs",
      "/Coordinator/jobs",
      "/coordinator//jobs",
      "/coordinator/jobs/",
      "/./coordinator/jobs",
    ]) {
      const request = new Request(`http://localhost${path}`, createJob(serviceKeys.chat));
      const response = await c.t.runtime.app.handle(request);
      expect([403, 404]).toContain(response.status);
    }
    expect(await jobCount()).toBe(jobsBefore);
  });
});
