import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import type { WorkspaceEvent } from "../../../core/events/event-bus";
import { testDatabaseUrls } from "../../support/databases";
import { type CoordinatorRuntime, startCoordinator } from "./coordinator-runtime";

for (const { dialect, create } of await testDatabaseUrls()) {
  describe(`the coordinator job API (${dialect})`, () => {
    let c: CoordinatorRuntime;
    let drop: () => Promise<void>;
    const published: WorkspaceEvent[] = [];

    beforeAll(async () => {
      const database = await create();
      drop = database.drop;
      c = await startCoordinator({ databaseUrl: database.url });
      c.t.runtime.events.subscribeAll((event) => published.push(event));
    });
    afterAll(async () => {
      await c.close();
      await drop();
    });

    const newJob = async (extra: Record<string, unknown> = {}) => {
      const response = await c.call("POST", "/coordinator/jobs", { workspaceId: c.workspaceId, type: "build", ...extra });
      expect(response.status).toBe(201);
      return (await response.json()) as { id: string; status: string };
    };
    const jobCount = async () => (await c.t.runtime.db.orm.select().from(c.t.runtime.db.tables.jobs)).length;
    const eventsOf = (jobId: string) => published.filter((event) => (event.data as { id: string }).id === jobId);

    /** A job driven into `status` through the API. */
    const jobIn = async (status: string) => {
      const job = await newJob();
      const steps: Record<string, [string, string, unknown][]> = {
        pending: [],
        running: [["PATCH", "status", { status: "running" }]],
        completed: [
          ["PATCH", "status", { status: "running" }],
          ["POST", "complete", {}],
        ],
        failed: [["POST", "fail", { error: "no runner" }]],
        cancelled: [["PATCH", "status", { status: "cancelled" }]],
      };
      for (const [method, action, body] of steps[status] ?? []) {
        expect((await c.call(method, `/coordinator/jobs/${job.id}/${action}`, body)).status).toBe(200);
      }
      return job.id;
    };

    test("creates a pending job in a workspace and publishes job.created", async () => {
      const response = await c.call("POST", "/coordinator/jobs", {
        workspaceId: c.workspaceId,
        type: "build",
        title: "Build main",
        payload: { ref: "main", depth: 1 },
      });
      expect(response.status).toBe(201);
      const job = await response.json();
      expect(job).toMatchObject({
        workspaceId: c.workspaceId,
        type: "build",
        title: "Build main",
        status: "pending",
        progress: 0,
        payload: { ref: "main", depth: 1 },
        result: null,
        error: null,
      });
      const [event] = eventsOf(job.id);
      expect(event).toMatchObject({ workspaceId: c.workspaceId, event: "job.created", data: { id: job.id, status: "pending" } });
      expect(event?.data).not.toHaveProperty("payload");
    });

    test("runs the whole lifecycle, storing and publishing every change", async () => {
      const { id } = await newJob({ payload: { n: 1 } });
      const running = await c.call("PATCH", `/coordinator/jobs/${id}/status`, { status: "running", message: "picked up" });
      expect(await running.json()).toMatchObject({ status: "running", message: "picked up" });
      const progress = await c.call("PATCH", `/coordinator/jobs/${id}/progress`, { progress: 40, message: "compiling" });
      expect(await progress.json()).toMatchObject({ status: "running", progress: 40, message: "compiling" });
      const done = await c.call("POST", `/coordinator/jobs/${id}/complete`, { result: { artifact: "a.tgz" } });
      expect(await done.json()).toMatchObject({ status: "completed", progress: 100 });

      const job = await (await c.call("GET", `/coordinator/jobs/${id}`)).json();
      expect(job).toMatchObject({ status: "completed", progress: 100, payload: { n: 1 }, result: { artifact: "a.tgz" } });
      expect(job.events.map((event: { type: string }) => event.type)).toEqual([
        "job.created",
        "job.status",
        "job.progress",
        "job.completed",
      ]);
      expect(job.events[0].data).toMatchObject({ source: "coordinator", by: "coordinator" });
      expect(job.events[2].data).toMatchObject({ progress: 40, message: "compiling" });
      expect(job.eventsTruncated).toBe(false);
      expect(eventsOf(id).map((event) => event.event)).toEqual(["job.created", "job.status", "job.progress", "job.completed"]);
    });

    test("a job can fail while pending or running, and be cancelled while pending or running", async () => {
      for (const from of ["pending", "running"]) {
        const failed = await c.call("POST", `/coordinator/jobs/${await jobIn(from)}/fail`, { error: "runner lost" });
        expect(await failed.json()).toMatchObject({ status: "failed", error: "runner lost" });
        const cancelled = await c.call("PATCH", `/coordinator/jobs/${await jobIn(from)}/status`, { status: "cancelled" });
        const job = await cancelled.json();
        expect(job).toMatchObject({ status: "cancelled" });
        expect(eventsOf(job.id).at(-1)).toMatchObject({ event: "job.status", data: { status: "cancelled" } });
      }
      const failed = published.filter((event) => event.event === "job.failed");
      expect(failed.at(-1)?.data).toMatchObject({ status: "failed", error: "runner lost" });
    });

    test("a job's view shows its latest 500 events, oldest first, and says when there were more", async () => {
      const id = await jobIn("running");
      const { jobEvents } = c.t.runtime.db.tables;
      const rows = Array.from({ length: 510 }, (_, i) => ({
        jobId: id,
        type: "job.progress",
        data: JSON.stringify({ i }),
        createdAt: i,
      }));
      await c.t.runtime.db.orm.insert(jobEvents).values(rows);
      const job = await (await c.call("GET", `/coordinator/jobs/${id}`)).json();
      expect(job.events).toHaveLength(500);
      expect(job.eventsTruncated).toBe(true);
      expect(job.events.at(-1).data).toEqual({ i: 509 });
      expect(job.events[0].data).toEqual({ i: 10 });
    });

    test("every illegal transition is 409 with the current state, and changes nothing", async () => {
      const actions: [string, string, unknown][] = [
        ["PATCH", "status", { status: "pending" }],
        ["PATCH", "status", { status: "running" }],
        ["PATCH", "status", { status: "completed" }],
        ["PATCH", "status", { status: "failed" }],
        ["PATCH", "status", { status: "cancelled" }],
        ["PATCH", "progress", { progress: 5 }],
        ["POST", "complete", { result: 1 }],
        ["POST", "fail", { error: "x" }],
      ];
      const legal = new Set([
        "pending status running",
        "pending status failed",
        "pending status cancelled",
        "pending fail",
        "running status completed",
        "running status failed",
        "running status cancelled",
        "running progress",
        "running complete",
        "running fail",
      ]);
      for (const from of ["pending", "running", "completed", "failed", "cancelled"]) {
        for (const [method, action, body] of actions) {
          const name = [from, action, action === "status" ? (body as { status: string }).status : ""].join(" ").trim();
          const id = await jobIn(from);
          const before = await (await c.call("GET", `/coordinator/jobs/${id}`)).json();
          const response = await c.call(method, `/coordinator/jobs/${id}/${action}`, body);
          if (legal.has(name)) {
            expect({ name, status: response.status }).toEqual({ name, status: 200 });
            continue;
          }
          expect({ name, status: response.status }).toEqual({ name, status: 409 });
          expect(await response.json()).toMatchObject({ code: "ERR_CONFLICT", currentStatus: from, status: 409 });
          expect(await (await c.call("GET", `/coordinator/jobs/${id}`)).json()).toEqual(before);
        }
      }
    });

    test("concurrent updates race on the state check: exactly one wins", async () => {
      const id = await jobIn("running");
      const attempts = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          i % 2 === 0
            ? c.call("POST", `/coordinator/jobs/${id}/complete`, { result: i })
            : c.call("POST", `/coordinator/jobs/${id}/fail`, { error: `e${i}` }),
        ),
      );
      const statuses = attempts.map((response) => response.status).sort();
      expect(statuses).toEqual([200, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
      const job = await (await c.call("GET", `/coordinator/jobs/${id}`)).json();
      expect(
        job.events.filter((event: { type: string }) => event.type !== "job.created" && event.type !== "job.status"),
      ).toHaveLength(1);
    });

    test("20 concurrent retries with one Idempotency-Key create one job and all get it back", async () => {
      const before = await jobCount();
      const body = { workspaceId: c.workspaceId, type: "deploy", payload: { env: "prod", replicas: 3 } };
      const key = crypto.randomUUID();
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => c.call("POST", "/coordinator/jobs", body, { "idempotency-key": key })),
      );
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 201)).toHaveLength(1);
      expect(statuses.filter((status) => status === 200)).toHaveLength(19);
      const ids = new Set(await Promise.all(responses.map(async (response) => (await response.json()).id)));
      expect(ids.size).toBe(1);
      expect(await jobCount()).toBe(before + 1);
      const [id = ""] = [...ids];
      expect(eventsOf(id)).toHaveLength(1);
      const { jobEvents } = c.t.runtime.db.tables;
      expect(await c.t.runtime.db.orm.select().from(jobEvents).where(eq(jobEvents.jobId, id))).toHaveLength(1);
    });

    test("a retry returns the stored job (200, Idempotent-Replayed) even after it moved on; payload key order doesn't matter", async () => {
      const key = `retry-${crypto.randomUUID()}`;
      const first = await c.call(
        "POST",
        "/coordinator/jobs",
        { workspaceId: c.workspaceId, type: "lint", payload: { a: 1, b: [1, 2] } },
        { "idempotency-key": key },
      );
      expect(first.status).toBe(201);
      const { id } = await first.json();
      await c.call("PATCH", `/coordinator/jobs/${id}/status`, { status: "running" });
      const again = await c.call(
        "POST",
        "/coordinator/jobs",
        { workspaceId: c.workspaceId, type: "lint", payload: { b: [1, 2], a: 1 } },
        { "idempotency-key": `"${key}"` },
      );
      expect(again.status).toBe(200);
      expect(again.headers.get("idempotent-replayed")).toBe("true");
      expect(await again.json()).toMatchObject({ id, status: "running" });
    });

    test("the same Idempotency-Key with a different body is 422 and creates nothing", async () => {
      const key = crypto.randomUUID();
      await c.call("POST", "/coordinator/jobs", { workspaceId: c.workspaceId, type: "lint" }, { "idempotency-key": key });
      const before = await jobCount();
      for (const body of [
        { workspaceId: c.workspaceId, type: "build" },
        { workspaceId: c.workspaceId, type: "lint", title: "now titled" },
        { workspaceId: c.workspaceId, type: "lint", payload: { x: 1 } },
      ]) {
        const response = await c.call("POST", "/coordinator/jobs", body, { "idempotency-key": key });
        expect(response.status).toBe(422);
        expect(await response.json()).toMatchObject({ code: "ERR_IDEMPOTENCY_MISMATCH" });
      }
      expect(await jobCount()).toBe(before);
    });

    test("an unknown workspace, an oversized payload or an unusable Idempotency-Key writes nothing", async () => {
      const before = await jobCount();
      const unknown = await c.call("POST", "/coordinator/jobs", { workspaceId: crypto.randomUUID(), type: "build" });
      expect(unknown.status).toBe(422);
      expect(await unknown.json()).toMatchObject({ code: "ERR_WORKSPACE_UNKNOWN", path: "/workspaceId" });
      const big = await c.call("POST", "/coordinator/jobs", {
        workspaceId: c.workspaceId,
        type: "build",
        payload: "x".repeat(70_000),
      });
      expect(big.status).toBe(413);
      expect(await big.json()).toMatchObject({ code: "ERR_BODY_TOO_LARGE", path: "/payload" });
      for (const key of ["", "has space", "x".repeat(256), "é"]) {
        const bad = await c.call(
          "POST",
          "/coordinator/jobs",
          { workspaceId: c.workspaceId, type: "x" },
          { "idempotency-key": key },
        );
        expect(bad.status).toBe(400);
      }
      expect(await jobCount()).toBe(before);
    });

    test("progress is 0-100 in whole numbers; an oversized result leaves the job running", async () => {
      const id = await jobIn("running");
      for (const progress of [-1, 101, 50.5, "50", null]) {
        expect((await c.call("PATCH", `/coordinator/jobs/${id}/progress`, { progress })).status).toBe(422);
      }
      for (const progress of [0, 100])
        expect((await c.call("PATCH", `/coordinator/jobs/${id}/progress`, { progress })).status).toBe(200);
      const big = await c.call("POST", `/coordinator/jobs/${id}/complete`, { result: { blob: "y".repeat(70_000) } });
      expect(big.status).toBe(413);
      expect(await (await c.call("GET", `/coordinator/jobs/${id}`)).json()).toMatchObject({ status: "running", result: null });
    });

    test("an unknown job id is 404 on every job route", async () => {
      const id = crypto.randomUUID();
      expect((await c.call("GET", `/coordinator/jobs/${id}`)).status).toBe(404);
      expect((await c.call("PATCH", `/coordinator/jobs/${id}/status`, { status: "running" })).status).toBe(404);
      expect((await c.call("PATCH", `/coordinator/jobs/${id}/progress`, { progress: 1 })).status).toBe(404);
      expect((await c.call("POST", `/coordinator/jobs/${id}/complete`, {})).status).toBe(404);
      expect((await c.call("POST", `/coordinator/jobs/${id}/fail`, { error: "x" })).status).toBe(404);
    });

    test("the stitcher's webhook and dispatch make jobs, record their source and honour Idempotency-Key", async () => {
      const delivery = { "idempotency-key": `delivery-${crypto.randomUUID()}` };
      const hook = { workspaceId: c.workspaceId, event: "chat.command", title: "/deploy staging", data: { channel: "ops" } };
      const first = await c.call("POST", "/stitcher/webhook", hook, delivery);
      expect(first.status).toBe(201);
      const job = await first.json();
      expect(job).toMatchObject({
        type: "chat.command",
        title: "/deploy staging",
        payload: { channel: "ops" },
        status: "pending",
      });
      const redelivered = await c.call("POST", "/stitcher/webhook", hook, delivery);
      expect(redelivered.status).toBe(200);
      expect((await redelivered.json()).id).toBe(job.id);

      const dispatched = await c.call("POST", "/stitcher/dispatch", {
        workspaceId: c.workspaceId,
        type: "review",
        payload: { pr: 7 },
      });
      expect(dispatched.status).toBe(201);
      const sources = await Promise.all(
        [job.id, (await dispatched.json()).id].map(
          async (id) => (await (await c.call("GET", `/coordinator/jobs/${id}`)).json()).events[0].data.source,
        ),
      );
      expect(sources).toEqual(["stitcher.webhook", "stitcher.dispatch"]);
    });

    test("health answers the calling service with live counts", async () => {
      const response = await c.call("GET", "/coordinator/health");
      expect(response.status).toBe(200);
      const health = await response.json();
      expect(health).toMatchObject({ status: "ok", service: "coordinator" });
      expect(health.jobs.pending).toBeGreaterThan(0);
      expect(health.jobs.running).toBeGreaterThan(0);
    });

    describe("members' view", () => {
      let ids: string[] = [];
      beforeAll(async () => {
        const created = [];
        for (const type of ["a", "b", "c", "d", "e"]) created.push((await newJob({ type: `page.${type}` })).id);
        ids = created.reverse();
      });

      test("a member lists the workspace's jobs newest first, page by page", async () => {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const query: string = cursor === null ? "limit=2" : `limit=2&cursor=${cursor}`;
          const response = await c.asUser("owner", `/workspaces/${c.workspaceId}/jobs?${query}`);
          expect(response.status).toBe(200);
          const page = await response.json();
          expect(page.jobs.length).toBeLessThanOrEqual(2);
          expect(page.jobs[0]).not.toHaveProperty("payload");
          seen.push(...page.jobs.map((job: { id: string }) => job.id));
          cursor = page.nextCursor;
        } while (cursor !== null);
        expect(seen.slice(0, 5)).toEqual(ids);
        expect(new Set(seen).size).toBe(seen.length);
        expect(seen.length).toBe(await jobCount());
      });

      test("filters by status", async () => {
        const page = await (await c.asUser("owner", `/workspaces/${c.workspaceId}/jobs?status=completed&limit=100`)).json();
        expect(page.jobs.length).toBeGreaterThan(0);
        expect(page.jobs.every((job: { status: string }) => job.status === "completed")).toBe(true);
      });

      test("a member reads one job with its events", async () => {
        const response = await c.asUser("owner", `/workspaces/${c.workspaceId}/jobs/${ids[0]}`);
        expect(response.status).toBe(200);
        expect(await response.json()).toMatchObject({ id: ids[0], events: [{ type: "job.created" }] });
      });

      test("a non-member gets 404 for the list and the job; another workspace's job is 404 too", async () => {
        const list = await c.asUser("stranger", `/workspaces/${c.workspaceId}/jobs`);
        expect(list.status).toBe(404);
        expect(await list.json()).not.toHaveProperty("jobs");
        expect((await c.asUser("stranger", `/workspaces/${c.workspaceId}/jobs/${ids[0]}`)).status).toBe(404);
        expect((await c.asUser("stranger", `/workspaces/${c.otherWorkspaceId}/jobs/${ids[0]}`)).status).toBe(404);
        expect((await c.asUser("stranger", `/workspaces/${c.otherWorkspaceId}/jobs`)).status).toBe(200);
      });

      test("without a session it is 401; a service key is not a member", async () => {
        expect((await c.t.request(`/workspaces/${c.workspaceId}/jobs`)).status).toBe(401);
        expect((await c.call("GET", `/workspaces/${c.workspaceId}/jobs`)).status).toBe(403);
      });

      test("a forged cursor is 400 and an out-of-range limit 422", async () => {
        for (const cursor of ["nope", Buffer.from('["x",1]').toString("base64url"), Buffer.from("[1]").toString("base64url")]) {
          const response = await c.asUser("owner", `/workspaces/${c.workspaceId}/jobs?cursor=${cursor}`);
          expect(response.status).toBe(400);
          expect(await response.json()).toMatchObject({ code: "ERR_BAD_REQUEST", path: "cursor" });
        }
        for (const limit of ["0", "101", "x", "2.5"]) {
          expect((await c.asUser("owner", `/workspaces/${c.workspaceId}/jobs?limit=${limit}`)).status).toBe(422);
        }
      });
    });
  });
}
