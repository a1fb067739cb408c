// Security issue #24, item 2: an Idempotency-Key is the sending service's own, per route and workspace.
// Before, one namespace served every sender: B's key blocked A's creates, and B could replay A's job.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { testDatabaseUrls } from "../../support/databases";
import { ELSEWHERE, startTenancy, type TenancyRuntime, WORKSPACE } from "./tenancy-runtime";

for (const { dialect, create } of await testDatabaseUrls()) {
  describe(`Idempotency-Key scope (${dialect})`, () => {
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

    const idem = (key: string) => ({ "idempotency-key": key });
    const jobCount = async () => (await c.t.runtime.db.orm.select().from(c.t.runtime.db.tables.jobs)).length;

    test("refuses to let service B squat an Idempotency-Key that blocks service A's later create", async () => {
      const key = `order-${crypto.randomUUID()}`;
      const squat = await c.call("b", "POST", "/coordinator/jobs", { workspaceId: WORKSPACE, type: "squat" }, idem(key));
      expect(squat.status).toBe(201);
      const mine = await c.call("a", "POST", "/coordinator/jobs", { workspaceId: WORKSPACE, type: "build" }, idem(key));
      expect(mine.status).toBe(201);
      expect(mine.headers.get("idempotent-replayed")).toBeNull();
      const job = await mine.json();
      expect(job).toMatchObject({ type: "build" });
      expect(job.id).not.toBe((await squat.json()).id);
    });

    test("refuses to tell service B that service A's Idempotency-Key is in use", async () => {
      const key = `order-${crypto.randomUUID()}`;
      await c.call("a", "POST", "/coordinator/jobs", { workspaceId: WORKSPACE, type: "build" }, idem(key));
      const probe = await c.call("b", "POST", "/coordinator/jobs", { workspaceId: WORKSPACE, type: "other" }, idem(key));
      expect(probe.status).toBe(201);
      expect(probe.headers.get("idempotent-replayed")).toBeNull();
    });

    test("refuses to replay service A's webhook job, payload included, to service B sending A's key and body", async () => {
      const key = `delivery-${crypto.randomUUID()}`;
      const hook = { workspaceId: WORKSPACE, event: "chat.command", data: { token: "A's private payload" } };
      const original = await c.call("a", "POST", "/stitcher/webhook", hook, idem(key));
      expect(original.status).toBe(201);
      const aJob = await original.json();

      const stolen = await c.call("b", "POST", "/stitcher/webhook", hook, idem(key));
      expect(stolen.status).toBe(201);
      expect(stolen.headers.get("idempotent-replayed")).toBeNull();
      const bJob = await stolen.json();
      expect(bJob.id).not.toBe(aJob.id);

      // A's own redelivery still finds A's job.
      const redelivered = await c.call("a", "POST", "/stitcher/webhook", hook, idem(key));
      expect(redelivered.status).toBe(200);
      expect(redelivered.headers.get("idempotent-replayed")).toBe("true");
      expect((await redelivered.json()).id).toBe(aJob.id);
      // And B's retry finds B's.
      const bAgain = await c.call("b", "POST", "/stitcher/webhook", hook, idem(key));
      expect(bAgain.status).toBe(200);
      expect((await bAgain.json()).id).toBe(bJob.id);
    });

    test("one service's key names a different job on another route and in another workspace", async () => {
      const key = `multi-${crypto.randomUUID()}`;
      const body = { workspaceId: WORKSPACE, type: "build" };
      const ids = new Set<string>();
      for (const [path, payload] of [
        ["/coordinator/jobs", body],
        ["/stitcher/dispatch", body],
        ["/coordinator/jobs", { ...body, workspaceId: ELSEWHERE }],
      ] as const) {
        const response = await c.call("a", "POST", path, payload, idem(key));
        expect({ path, status: response.status }).toEqual({ path, status: 201 });
        ids.add((await response.json()).id);
      }
      expect(ids.size).toBe(3);
      // Within one scope the key still decides: a different body is a mismatch, not a new job.
      const before = await jobCount();
      const mismatch = await c.call("a", "POST", "/coordinator/jobs", { ...body, type: "lint" }, idem(key));
      expect(mismatch.status).toBe(422);
      expect(await mismatch.json()).toMatchObject({ code: "ERR_IDEMPOTENCY_MISMATCH" });
      expect(await jobCount()).toBe(before);
    });

    test("concurrent creates by two services with one key make one job each, and each gets its own back", async () => {
      const key = `race-${crypto.randomUUID()}`;
      const body = { workspaceId: WORKSPACE, type: "build" };
      const before = await jobCount();
      const responses = await Promise.all(
        Array.from({ length: 16 }, (_, i) => c.call(i % 2 === 0 ? "a" : "b", "POST", "/coordinator/jobs", body, idem(key))),
      );
      expect(responses.every((response) => response.status === 201 || response.status === 200)).toBe(true);
      expect(await jobCount()).toBe(before + 2);
      const jobs = await Promise.all(responses.map(async (response) => (await response.json()).id as string));
      const aIds = new Set(jobs.filter((_, i) => i % 2 === 0));
      const bIds = new Set(jobs.filter((_, i) => i % 2 === 1));
      expect(aIds.size).toBe(1);
      expect(bIds.size).toBe(1);
      expect([...aIds][0]).not.toBe([...bIds][0]);
    });
  });
}
