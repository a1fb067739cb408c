// Security issue #24, item 3: an API key bound to workspaces reaches only their jobs. Before, any key
// with the coordinator scope could read, fail or complete any workspace's job.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { testDatabaseUrls } from "../../support/databases";
import { ELSEWHERE, keys, startTenancy, type TenancyRuntime, WORKSPACE } from "./tenancy-runtime";

for (const { dialect, create } of await testDatabaseUrls()) {
  describe(`API keys bound to workspaces (${dialect})`, () => {
    let c: TenancyRuntime;
    let drop: () => Promise<void>;

    beforeAll(async () => {
      const database = await create();
      drop = database.drop;
      c = await startTenancy(database.url);
    });
    afterAll(async () => {
      await c.close();
      await drop();
    });

    const newJob = async (workspaceId: string) => {
      const response = await c.call("a", "POST", "/coordinator/jobs", { workspaceId, type: "build", payload: { secret: 1 } });
      expect(response.status).toBe(201);
      return (await response.json()).id as string;
    };
    const statusOf = async (id: string) => (await (await c.call("a", "GET", `/coordinator/jobs/${id}`)).json()).status;

    test("refuses a bound key that fails, completes, moves or reads another workspace's job: 404, nothing changed", async () => {
      const id = await newJob(ELSEWHERE);
      await c.call("a", "PATCH", `/coordinator/jobs/${id}/status`, { status: "running" });
      const attempts: [string, string, unknown][] = [
        ["POST", `/coordinator/jobs/${id}/fail`, { error: "sabotage" }],
        ["POST", `/coordinator/jobs/${id}/complete`, { result: { forged: true } }],
        ["PATCH", `/coordinator/jobs/${id}/status`, { status: "cancelled" }],
        ["PATCH", `/coordinator/jobs/${id}/progress`, { progress: 99 }],
        ["GET", `/coordinator/jobs/${id}`, undefined],
      ];
      for (const [method, path, body] of attempts) {
        const response = await c.call("bound", method, path, body);
        expect({ method, path, status: response.status }).toEqual({ method, path, status: 404 });
        const problem = await response.json();
        expect(problem.code).toBe("ERR_NOT_FOUND");
        // The same answer as for an id that does not exist: nothing to tell the two apart.
        const unknown = await c.call("bound", method, path.replace(id, crypto.randomUUID()), body);
        expect(unknown.status).toBe(404);
        expect((await unknown.json()).detail).toBe(problem.detail);
      }
      const job = await (await c.call("a", "GET", `/coordinator/jobs/${id}`)).json();
      expect(job).toMatchObject({ status: "running", progress: 0, result: null, error: null });
      expect(job.events.map((event: { data: { by: string } }) => event.data.by)).toEqual(["service-a", "service-a"]);
    });

    test("refuses a bound key that creates a job in a workspace outside its binding: 403 on every creating route", async () => {
      const before = (await c.t.runtime.db.orm.select().from(c.t.runtime.db.tables.jobs)).length;
      const attempts: [string, unknown][] = [
        ["/coordinator/jobs", { workspaceId: ELSEWHERE, type: "build" }],
        ["/stitcher/dispatch", { workspaceId: ELSEWHERE, type: "build" }],
        ["/stitcher/webhook", { workspaceId: ELSEWHERE, event: "chat.command" }],
        // A workspace that does not exist is refused the same way, so a bound key can't probe ids either.
        ["/coordinator/jobs", { workspaceId: "ws-no-such", type: "build" }],
      ];
      for (const [path, body] of attempts) {
        const response = await c.call("bound", "POST", path, body);
        expect({ path, status: response.status }).toEqual({ path, status: 403 });
        expect(await response.json()).toMatchObject({ code: "ERR_FORBIDDEN" });
      }
      expect((await c.t.runtime.db.orm.select().from(c.t.runtime.db.tables.jobs)).length).toBe(before);
    });

    test("a bound key drives its own workspace's jobs through the whole lifecycle", async () => {
      const created = await c.call("bound", "POST", "/coordinator/jobs", { workspaceId: WORKSPACE, type: "build" });
      expect(created.status).toBe(201);
      const { id } = await created.json();
      expect((await c.call("bound", "PATCH", `/coordinator/jobs/${id}/status`, { status: "running" })).status).toBe(200);
      expect((await c.call("bound", "PATCH", `/coordinator/jobs/${id}/progress`, { progress: 40 })).status).toBe(200);
      expect((await c.call("bound", "POST", `/coordinator/jobs/${id}/complete`, { result: { ok: true } })).status).toBe(200);
      expect(await (await c.call("bound", "GET", `/coordinator/jobs/${id}`)).json()).toMatchObject({
        status: "completed",
        result: { ok: true },
      });
      // A job another service made in the bound workspace is within reach too.
      const theirs = await newJob(WORKSPACE);
      expect((await c.call("bound", "POST", `/coordinator/jobs/${theirs}/fail`, { error: "stop" })).status).toBe(200);
      expect(await statusOf(theirs)).toBe("failed");
    });

    test("an unbound key keeps today's reach: every workspace", async () => {
      const id = await newJob(WORKSPACE);
      expect((await c.call("b", "POST", `/coordinator/jobs/${id}/fail`, { error: "by b" })).status).toBe(200);
      expect((await c.call("b", "POST", "/coordinator/jobs", { workspaceId: ELSEWHERE, type: "x" })).status).toBe(201);
    });

    test("health counts only the jobs a bound key reaches", async () => {
      const counts = async (key: "a" | "bound") => (await (await c.call(key, "GET", "/coordinator/health")).json()).jobs;
      const before = { all: await counts("a"), bound: await counts("bound") };
      await newJob(ELSEWHERE);
      expect((await counts("a")).pending).toBe(before.all.pending + 1);
      expect(await counts("bound")).toEqual(before.bound);
      await newJob(WORKSPACE);
      expect((await counts("bound")).pending).toBe(before.bound.pending + 1);
    });

    test("the principal of a bound key carries its workspaces; an unbound key's carries none", async () => {
      const { auth } = c.t.runtime;
      const principal = async (key: string) =>
        auth.principalNow(new Request("http://localhost/coordinator/health", { headers: { "x-api-key": key } }));
      expect(await principal(keys.bound)).toEqual({
        kind: "service",
        name: "bound",
        scopes: ["coordinator"],
        workspaces: [WORKSPACE],
      });
      expect(await principal(keys.a)).toEqual({ kind: "service", name: "service-a", scopes: ["coordinator"] });
    });
  });
}
