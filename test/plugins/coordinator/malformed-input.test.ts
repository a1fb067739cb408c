import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { testDatabaseUrls } from "../../support/databases";
import { type CoordinatorRuntime, serviceKeys, startCoordinator } from "./coordinator-runtime";
import { fill, fillBody, ROUTES } from "./routes";

const RAW_BODIES: [contentType: string, body: string][] = [
  ["application/json", "{bad"],
  ["application/json", ""],
  ["application/json", "null"],
  ["application/json", "[]"],
  ["application/json", "42"],
  ["application/json", '"text"'],
  ["application/json", '{"a":'],
  ["application/json", `${"[".repeat(5000)}${"]".repeat(5000)}`],
  ["application/json", "\u0000"],
  ["text/plain", '{"workspaceId":"x","type":"build"}'],
  ["application/x-www-form-urlencoded", "workspaceId=x&type=build"],
  ["application/octet-stream", "\u00ff\u00fe"],
];

// Wrong for every field: wrong JSON types, over-long or NUL-carrying strings.
const WRONG_ANYWHERE: unknown[] = [null, 123, -1.5, true, [], {}, "x".repeat(10_000), "nul\u0000byte"];
// Wrong for ids, types and states, though fine as free text (a title, a message, an error).
const WRONG_FOR_WORDS: unknown[] = ["", "\ud800 lone surrogate", "../../etc/passwd", "'; DROP TABLE jobs; --"];
const FREE_TEXT = ["title", "message", "error"];

const DOCUMENTS = ["payload", "data", "result"];

const BAD_IDS = ["x".repeat(65), "%00", "a%00b", "..%2F..%2Fhealthz", "%F0%9F%92%A9", "%ud800", "'%20OR%201=1"];

const clientError = (status: number) => status >= 400 && status < 500;

for (const { dialect, create } of await testDatabaseUrls()) {
  describe(`malformed input to every coordinator route (${dialect})`, () => {
    let c: CoordinatorRuntime;
    let drop: () => Promise<void>;
    let ids: { job: string; workspace: string };
    let snapshot: Awaited<ReturnType<typeof everything>>;
    const statuses: { what: string; status: number }[] = [];

    const credentials = (audience: "service" | "member"): Record<string, string> =>
      audience === "service" ? { "x-api-key": serviceKeys.coordinator } : { authorization: `Bearer ${c.tokens.owner}` };

    const record = async (what: string, response: Response) => {
      statuses.push({ what, status: response.status });
      if (response.status >= 400) expect(response.headers.get("content-type")).toBe("application/problem+json");
      await response.arrayBuffer();
    };

    const everything = async () => {
      const { jobs, jobEvents } = c.t.runtime.db.tables;
      const orm = c.t.runtime.db.orm;
      return { jobs: await orm.select().from(jobs).orderBy(jobs.id), events: (await orm.select().from(jobEvents)).length };
    };

    beforeAll(async () => {
      const database = await create();
      drop = database.drop;
      c = await startCoordinator({ databaseUrl: database.url });
      const job = await (await c.call("POST", "/coordinator/jobs", { workspaceId: c.workspaceId, type: "build" })).json();
      await c.call("PATCH", `/coordinator/jobs/${job.id}/status`, { status: "running" });
      ids = { job: job.id, workspace: c.workspaceId };
      snapshot = await everything();
    });
    afterAll(async () => {
      await c.close();
      await drop();
    });

    test("bodies that are not the expected JSON object are refused with 4xx", async () => {
      for (const route of ROUTES.filter((candidate) => candidate.body !== undefined)) {
        for (const [contentType, body] of RAW_BODIES) {
          const response = await c.t.request(fill(route.path, ids), {
            method: route.method,
            headers: { ...credentials(route.audience), "content-type": contentType },
            body,
          });
          await record(`${route.method} ${route.path} ${contentType} ${body.slice(0, 20)}`, response);
          expect({ route: route.path, body, refused: clientError(response.status) }).toMatchObject({ refused: true });
        }
      }
    });

    test("every field with a wrong type or value, and unknown fields, are refused with 4xx", async () => {
      for (const route of ROUTES.filter((candidate) => candidate.body !== undefined)) {
        const valid = fillBody(route.body, ids) as Record<string, unknown>;
        const variants: Record<string, unknown>[] = [{ ...valid, unexpected: 1 }];
        for (const field of Object.keys(valid)) {
          // A JSON document (payload, data, result) takes any value by design; its size cap is tested elsewhere.
          if (DOCUMENTS.includes(field)) continue;
          const wrong = FREE_TEXT.includes(field) ? WRONG_ANYWHERE : [...WRONG_ANYWHERE, ...WRONG_FOR_WORDS];
          for (const value of wrong) variants.push({ ...valid, [field]: value });
          const { [field]: _missing, ...without } = valid;
          variants.push(without);
        }
        for (const body of variants) {
          const response = await c.call(route.method, fill(route.path, ids), body, credentials(route.audience));
          await record(`${route.method} ${route.path} ${JSON.stringify(body).slice(0, 80)}`, response);
          expect({ body, refused: clientError(response.status) }).toEqual({ body, refused: true });
        }
      }
    });

    test("malformed ids in the path are 4xx, never a lookup that fails", async () => {
      for (const route of ROUTES) {
        for (const bad of BAD_IDS) {
          for (const slot of [":job", ":workspace"]) {
            if (!route.path.includes(slot)) continue;
            const path = route.path.replace(slot, bad);
            const response = await c.call(route.method, fill(path, ids), fillBody(route.body, ids), credentials(route.audience));
            await record(`${route.method} ${path}`, response);
            expect({ path, refused: clientError(response.status) }).toEqual({ path, refused: true });
          }
        }
      }
    });

    test("malformed queries and Idempotency-Keys are 4xx", async () => {
      const list = `/workspaces/${ids.workspace}/jobs`;
      for (const query of [
        "limit=-5",
        "limit=1e3",
        "limit=",
        "status=done",
        "cursor=%00",
        "cursor=",
        `cursor=${"A".repeat(500)}`,
      ]) {
        const response = await c.asUser("owner", `${list}?${query}`);
        await record(`GET ${list}?${query}`, response);
        expect({ query, refused: clientError(response.status) }).toEqual({ query, refused: true });
      }
      for (const key of ["", " ", "x".repeat(300), "tab\there", "a, b", '"unterminated']) {
        const response = await c.call(
          "POST",
          "/coordinator/jobs",
          { workspaceId: ids.workspace, type: "build" },
          { "idempotency-key": key },
        );
        await record(`POST /coordinator/jobs Idempotency-Key ${JSON.stringify(key).slice(0, 20)}`, response);
        expect({ key, status: response.status }).toEqual({ key, status: 400 });
      }
    });

    test("nothing answered 5xx and nothing was written", async () => {
      expect(statuses.length).toBeGreaterThan(250);
      expect(statuses.filter(({ status }) => status >= 500)).toEqual([]);
      expect(await everything()).toEqual(snapshot);
    });
  });
}
