// Malformed bodies cost a bounded amount before anything else runs: nesting past the cap is a prompt
// 400, and a body its schema refuses is a short 422 that names the path, never the value (Elysia's
// own validation error pretty-prints the whole value, seconds and hundreds of megabytes for one body).
import { describe, expect, test } from "bun:test";
import { Elysia, t } from "elysia";
import { unauthenticated } from "../../../core/errors/tessera-error";
import { createHttpApp } from "../../../core/http/create-app";
import { nestsDeeperThan } from "../../../core/http/json-depth";
import { createLogger } from "../../../core/log/json-logger";
import { httpMetrics } from "../../../core/metrics/http-metrics";
import { Registry } from "../../../core/metrics/registry";

const routes = new Elysia()
  .post("/named", ({ body }) => body, { body: t.Object({ name: t.String({ maxLength: 10 }) }) })
  .post("/payload", ({ body }) => ({ ok: typeof body.payload }), {
    body: t.Object({ payload: t.Record(t.String(), t.Unknown()) }),
  })
  .post("/guarded", () => ({ ok: true }), {
    body: t.Object({ name: t.String() }),
    // As the routes that check the caller before the body is read do.
    parse: ({ request }) => {
      if (!request.headers.get("authorization")) throw unauthenticated();
      return request.json();
    },
  });

const app = createHttpApp({
  log: createLogger({ write: () => {} }),
  metrics: httpMetrics(new Registry()),
  bodyLimit: 1024 * 1024,
  allowedOrigins: ["http://tessera.test"],
  maxJsonDepth: 64,
}).use(routes);

const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
  const started = performance.now();
  const response = await app.handle(
    new Request(`http://tessera.test${path}`, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", authorization: "Bearer x", ...headers },
    }),
  );
  const text = await response.text();
  return { status: response.status, type: response.headers.get("content-type"), text, ms: performance.now() - started };
};

const nestedArrays = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
const nestedObjects = (depth: number, leaf = "1") => '{"a":'.repeat(depth) + leaf + "}".repeat(depth);

describe("bounded cost for malformed bodies", () => {
  test("refuses a body nested 10,000 deep (arrays or objects) promptly with a 400 problem", async () => {
    for (const body of [nestedArrays(10_000), nestedObjects(10_000), `{"payload":${nestedObjects(10_000)}}`]) {
      for (const path of ["/named", "/payload", "/guarded"]) {
        const answer = await post(path, body);
        expect(answer.status).toBe(400);
        expect(answer.type).toBe("application/problem+json");
        expect(JSON.parse(answer.text)).toMatchObject({ code: "ERR_JSON_TOO_DEEP", maxDepth: 64 });
        expect(answer.ms).toBeLessThan(200);
      }
    }
  });

  test("refuses a wide body just under the depth cap with a short 422 that names the path, not the value", async () => {
    const wide = `[${Array(250_000).fill("1").join(",")}]`;
    const answer = await post("/named", `{"name":"x","extra":${nestedObjects(60, wide)}}`);
    expect(answer.status).toBe(422);
    expect(answer.type).toBe("application/problem+json");
    expect(answer.text.length).toBeLessThan(2000);
    const problem = JSON.parse(answer.text);
    expect(problem.code).toBe("ERR_VALIDATION");
    expect(problem.errors[0]).toMatchObject({ path: "/extra", in: "body" });
    expect(answer.ms).toBeLessThan(500);
  });

  test("a validation error says what was expected where, clipped, and never echoes the value", async () => {
    const answer = await post("/named", JSON.stringify({ name: "secret-value-that-is-long" }));
    expect(answer.status).toBe(422);
    expect(answer.text).not.toContain("secret-value");
    expect(JSON.parse(answer.text).errors[0]).toMatchObject({ path: "/name", in: "body" });
    const hugeKey = await post("/named", JSON.stringify({ name: "x", ["k".repeat(100_000)]: 1 }));
    expect(hugeKey.status).toBe(422);
    expect(hugeKey.text.length).toBeLessThan(2000);
  });

  test("a body at the depth cap is accepted", async () => {
    expect((await post("/payload", `{"payload":${nestedObjects(63)}}`)).status).toBe(200);
    expect((await post("/payload", `{"payload":${nestedObjects(64)}}`)).status).toBe(400);
  });

  test("a route's own parser still runs first: a refused caller learns nothing of the body", async () => {
    const answer = await post("/guarded", nestedObjects(10_000), { authorization: "" });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.text)).toMatchObject({ code: "ERR_UNAUTHENTICATED" });
  });
});

describe("nestsDeeperThan", () => {
  test("counts arrays and objects, not scalars, and does not recurse", () => {
    expect(nestsDeeperThan(1, 0)).toBe(false);
    expect(nestsDeeperThan({ a: [1] }, 2)).toBe(false);
    expect(nestsDeeperThan({ a: [[1]] }, 2)).toBe(true);
    expect(nestsDeeperThan(JSON.parse(nestedArrays(100_000)), 64)).toBe(true);
  });
});
