// A fuzzer against a real `tessera serve`: every operation in /openapi gets a battery of malformed
// requests with every kind of credential. None may fail inside (5xx), every refusal is problem+json
// with a code and a request id, each answers within a time bound, and refusals change nothing.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { issueApiKey } from "../support/api-keys";
import { type ServedInstance, serveProcess } from "../support/serve-process";

const ADMIN = "admin@example.com";
const PER_REQUEST_MS = 2000;
const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
const nestedObject = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

/** Bodies a fuzzer sends, with the content type each goes out with. */
const BODIES: [string, string, string][] = [
  ["nested arrays", "application/json", nested(10_000)],
  ["nested objects", "application/json", nestedObject(10_000)],
  ["invalid JSON", "application/json", '{"name": '],
  ["an array", "application/json", "[]"],
  ["a number", "application/json", "42"],
  ["null", "application/json", "null"],
  ["a string", "application/json", '"x"'],
  ["NUL and a lone surrogate", "application/json", '{"name":"a\\u0000b\\ud800","workspaceId":"\\udfff"}'],
  ["a huge number", "application/json", '{"name":1e400,"progress":1e400,"workspaceId":1e400}'],
  ["the wrong content type", "text/plain", '{"name":"x"}'],
  ["a form", "application/x-www-form-urlencoded", "name=x&a[b][c]=1"],
];

const issueKey = () => issueApiKey("fuzz", "coordinator");

const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024;

describe("malformed requests against every operation", () => {
  let served: ServedInstance;
  let credentials: [string, Record<string, string>][] = [];
  let operations: { method: string; path: string }[] = [];

  beforeAll(async () => {
    const key = await issueKey();
    served = await serveProcess({
      admins: [ADMIN],
      plugins: {
        "api-key": { enabled: true, keys: [{ name: "fuzz", hash: key.hash, scopes: ["coordinator"] }] },
        coordinator: { enabled: true },
        federation: { enabled: true },
        websocket: { enabled: true },
      },
    });
    const session = async (email: string) => {
      await served.cli("users", "create", "--email", email);
      return (await served.cli("sessions", "create", "--email", email)).stdout.trim();
    };
    credentials = [
      ["none", {}],
      ["user", { authorization: `Bearer ${await session("user@example.com")}` }],
      ["admin", { authorization: `Bearer ${await session(ADMIN)}` }],
      ["api key", { "x-api-key": key.key }],
    ];
    const document = (await (await fetch(`${served.url}/openapi`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })),
    );
  }, 60_000);
  afterAll(() => served?.stop());

  /** What the API lists: refusals must leave it as it was. */
  const state = async () => {
    const [, user] = credentials[1] ?? ["", {}];
    const [, service] = credentials[3] ?? ["", {}];
    const workspaces = await (await fetch(`${served.url}/workspaces`, { headers: user })).text();
    const jobs = await (await fetch(`${served.url}/coordinator/health`, { headers: service })).text();
    return { workspaces, jobs };
  };

  const send = async (method: string, path: string, headers: Record<string, string>, body?: string) => {
    const started = performance.now();
    const response = await fetch(`${served.url}${path}`, { method, headers, body });
    const text = await response.text();
    return { status: response.status, type: response.headers.get("content-type"), text, ms: performance.now() - started };
  };

  const expectProblem = (what: string, answer: Awaited<ReturnType<typeof send>>) => {
    const where = `${what}: ${answer.status} ${answer.text.slice(0, 200)}`;
    expect(answer.status, where).toBeLessThan(500);
    expect(answer.ms, where).toBeLessThan(PER_REQUEST_MS);
    if (answer.status >= 400) {
      expect(answer.type, where).toBe("application/problem+json");
      const problem = JSON.parse(answer.text);
      expect(problem.code, where).toMatch(/^ERR_/);
      expect(problem.requestId, where).toBeString();
    }
  };

  test("no operation fails inside, answers slowly or bare, or changes anything when refused", async () => {
    expect(operations.length).toBeGreaterThan(20);
    const before = await state();
    for (const { method, path } of operations) {
      // Path parameters get a value no route knows, with characters that must be escaped.
      const concrete = path.replace(/\{[^}]+\}/g, "no-such%00%F0%9F%92%A9");
      for (const [kind, headers] of credentials) {
        if (method === "GET" || method === "HEAD") {
          expectProblem(`${kind} ${method} ${path}`, await send(method, concrete, headers));
          continue;
        }
        for (const [name, type, body] of BODIES) {
          const answer = await send(method, concrete, { ...headers, "content-type": type }, body);
          expectProblem(`${kind} ${method} ${path} with ${name}`, answer);
        }
      }
    }
    expect(await state()).toEqual(before);
  }, 55_000);

  test("a body over the limit is a problem+json 413 on every non-GET route, declared or chunked", async () => {
    const big = "x".repeat(5 * 1024 * 1024);
    for (const { method, path } of operations.filter((operation) => operation.method !== "GET")) {
      const answer = await send(method, path.replace(/\{[^}]+\}/g, "x"), { "content-type": "application/json" }, big);
      expect(answer.status, `${method} ${path}`).toBe(413);
      expect(answer.type, `${method} ${path}`).toBe("application/problem+json");
    }
    const chunked = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 40; i++) controller.enqueue(new TextEncoder().encode("y".repeat(64 * 1024)));
        controller.close();
      },
    });
    const response = await fetch(`${served.url}/workspaces`, {
      method: "POST",
      headers: { ...(credentials[1]?.[1] ?? {}), "content-type": "application/json" },
      body: chunked,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: "ERR_BODY_TOO_LARGE" });
  }, 30_000);

  test("a message over the limit to the federation inbox is 413 ERR_FED_TOO_LARGE, as documented", async () => {
    for (const size of [65 * 1024, 1024 * 1024, 5 * 1024 * 1024]) {
      const answer = await send("POST", "/federation/v1/inbox", { "content-type": "application/jose" }, "x".repeat(size));
      expect(answer.status, `${size} bytes`).toBe(413);
      expect(answer.type, `${size} bytes`).toBe("application/problem+json");
      expect(JSON.parse(answer.text).code, `${size} bytes`).toBe("ERR_FED_TOO_LARGE");
    }
  });

  test("nested bodies cost little, with or without credentials, and memory does not grow", async () => {
    const rss = rssOf(served.process.pid);
    for (let round = 0; round < 20; round++) {
      for (const headers of [{}, credentials[1]?.[1] ?? {}, credentials[3]?.[1] ?? {}]) {
        for (const [path, body] of [
          ["/workspaces", nestedObject(10_000)],
          ["/coordinator/jobs", `{"workspaceId":"w","type":"t","payload":${nestedObject(10_000)}}`],
        ] as const) {
          const answer = await send("POST", path, { ...headers, "content-type": "application/json" }, body);
          expect([400, 401, 403, 413]).toContain(answer.status);
          expect(answer.ms).toBeLessThan(200);
        }
      }
    }
    expect(rssOf(served.process.pid) - rss).toBeLessThan(100 * 1024 * 1024);
  }, 30_000);

  test("a WebSocket upgrade with an unsupported version is a problem+json 426", async () => {
    const answer = await send("GET", "/ws", {
      upgrade: "websocket",
      connection: "Upgrade",
      "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      "sec-websocket-version": "99",
    });
    expect(answer.status).toBe(426);
    expect(answer.type).toBe("application/problem+json");
    expect(JSON.parse(answer.text)).toMatchObject({ code: "ERR_UPGRADE_REQUIRED" });
  });
});
