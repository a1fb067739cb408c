// The coordinator's job API behind API keys, as a real `tessera serve` process answers it over HTTP.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { issueApiKey } from "../support/api-keys";
import { ownerWithWorkspace, runCli, type ServedInstance, serveProcess } from "../support/serve-process";
import { makeTempDir } from "../support/test-runtime";

const issue = (name: string, scopes: string) => issueApiKey(name, scopes);
const coordinator = await issue("coordinator", "coordinator");
const chat = await issue("chat", "chat");
const retired = await issue("retired", "coordinator");

const apiKeySection = {
  enabled: true,
  keys: [
    { name: "coordinator", hash: coordinator.hash, scopes: ["coordinator"] },
    { name: "chat", hash: chat.hash, scopes: ["chat"] },
    { name: "retired", hash: retired.hash, scopes: ["coordinator"], notAfter: "2022-01-01" },
  ],
  protect: { "/coordinator": "coordinator", "/stitcher": "coordinator" },
};

/** One HTTP/1.1 request written byte for byte, for what fetch won't send (repeated headers, odd letter case). */
const rawRequest = (url: string, head: string[], body = ""): Promise<{ status: number; text: string }> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const socket = connect({ host: hostname, port: Number(port) });
    let received = "";
    socket.on("data", (chunk) => {
      received += chunk.toString("utf8");
    });
    socket.on("error", reject);
    socket.on("end", () => resolve({ status: Number(received.split(" ")[1]), text: received }));
    const length = body === "" ? [] : [`Content-Length: ${Buffer.byteLength(body)}`];
    socket.write([...head, `Host: ${hostname}:${port}`, "Connection: close", ...length, "", body].join("\r\n"));
  });

describe("the coordinator over HTTP", () => {
  let served: ServedInstance;
  let workspaceId = "";
  let token = "";

  beforeAll(async () => {
    served = await serveProcess({
      database: { url: "sqlite:./data/tessera.db" },
      plugins: { "api-key": apiKeySection, coordinator: { enabled: true } },
    });
    ({ token, workspaceId } = await ownerWithWorkspace(served, "owner@example.com", "--name", "Owner"));
  });
  afterAll(async () => {
    await served.stop();
  });

  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${served.url}${path}`, {
      method,
      headers: {
        "x-api-key": coordinator.key,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  test("the start-up table shows both plugins started with the coordinator's routes", () => {
    expect(served.output()).toMatch(/api-key\s+0\.1\.0\s+started/);
    expect(served.output()).toMatch(/coordinator\s+0\.1\.0\s+started/);
  });

  test("every service endpoint refuses no key, an empty, wrong or expired key (401) and a key without the scope (403)", async () => {
    const endpoints = [
      ["POST", "/coordinator/jobs"],
      ["PATCH", "/coordinator/jobs/x/status"],
      ["PATCH", "/coordinator/jobs/x/progress"],
      ["POST", "/coordinator/jobs/x/complete"],
      ["POST", "/coordinator/jobs/x/fail"],
      ["GET", "/coordinator/jobs/x"],
      ["GET", "/coordinator/health"],
      ["POST", "/stitcher/webhook"],
      ["POST", "/stitcher/dispatch"],
    ];
    const cases: [Record<string, string>, number][] = [
      [{}, 401],
      [{ "x-api-key": "" }, 401],
      [{ "x-api-key": (await issue("stranger", "coordinator")).key }, 401],
      [{ "x-api-key": retired.key }, 401],
      [{ "x-api-key": chat.key }, 403],
    ];
    for (const [method, path] of endpoints) {
      for (const [headers, status] of cases) {
        const response = await fetch(`${served.url}${path}`, { method, headers });
        expect({ method, path, status: response.status }).toEqual({ method, path, status });
        expect(response.headers.get("content-type")).toBe("application/problem+json");
        expect(response.headers.get("www-authenticate")).toStartWith('ApiKey header="X-API-Key"');
      }
    }
  });

  test("the header is found in any letter case; a repeated header is 400", async () => {
    for (const name of ["x-api-key", "X-API-KEY", "X-Api-Key"]) {
      const response = await rawRequest(served.url, ["GET /coordinator/health HTTP/1.1", `${name}: ${coordinator.key}`]);
      expect({ name, status: response.status }).toEqual({ name, status: 200 });
    }
    const repeated = await rawRequest(served.url, [
      "GET /coordinator/health HTTP/1.1",
      `X-API-Key: ${coordinator.key}`,
      `x-api-key: ${coordinator.key}`,
    ]);
    expect(repeated.status).toBe(400);
    expect(repeated.text).toContain("exactly one X-API-Key header");
  });

  test("a key in the query string is 400 telling the caller to use the header", async () => {
    const response = await fetch(`${served.url}/coordinator/health?api_key=${coordinator.key}`, {
      headers: { "x-api-key": coordinator.key },
    });
    expect(response.status).toBe(400);
    expect((await response.json()).detail).toContain("X-API-Key header");
  });

  test("runs a job's lifecycle; a member sees it with its events, newest first", async () => {
    const created = await call("POST", "/coordinator/jobs", {
      workspaceId,
      type: "build",
      title: "Build",
      payload: { ref: "main" },
    });
    expect(created.status).toBe(201);
    const { id } = await created.json();
    expect((await call("PATCH", `/coordinator/jobs/${id}/status`, { status: "running" })).status).toBe(200);
    expect((await call("PATCH", `/coordinator/jobs/${id}/progress`, { progress: 70, message: "testing" })).status).toBe(200);
    expect((await call("POST", `/coordinator/jobs/${id}/complete`, { result: { ok: true } })).status).toBe(200);
    const illegal = await call("PATCH", `/coordinator/jobs/${id}/progress`, { progress: 80 });
    expect(illegal.status).toBe(409);
    expect(await illegal.json()).toMatchObject({ code: "ERR_CONFLICT", currentStatus: "completed" });

    const list = await fetch(`${served.url}/workspaces/${workspaceId}/jobs`, { headers: { authorization: `Bearer ${token}` } });
    expect((await list.json()).jobs[0]).toMatchObject({ id, status: "completed", progress: 100 });
    const one = await fetch(`${served.url}/workspaces/${workspaceId}/jobs/${id}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const job = await one.json();
    expect(job).toMatchObject({ payload: { ref: "main" }, result: { ok: true } });
    expect(job.events.map((event: { type: string }) => event.type)).toEqual([
      "job.created",
      "job.status",
      "job.progress",
      "job.completed",
    ]);
  });

  test("20 parallel retries with one Idempotency-Key create exactly one job", async () => {
    const key = crypto.randomUUID();
    const body = { workspaceId, type: "deploy", payload: { env: "prod" } };
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => call("POST", "/coordinator/jobs", body, { "idempotency-key": key })),
    );
    expect(responses.map((response) => response.status).sort()).toEqual([201, ...Array(19).fill(200)].sort());
    const ids = new Set(await Promise.all(responses.map(async (response) => (await response.json()).id)));
    expect(ids.size).toBe(1);
    const page = await (
      await fetch(`${served.url}/workspaces/${workspaceId}/jobs?limit=100`, { headers: { authorization: `Bearer ${token}` } })
    ).json();
    expect(page.jobs.filter((job: { type: string }) => job.type === "deploy")).toHaveLength(1);
  });

  test("malformed input to every route is a 4xx problem+json, never a 5xx", async () => {
    const requests: [string, string, string | undefined, string][] = [];
    const bodies = ["{bad", "", "null", "[]", '{"workspaceId":1}', '{"progress":"50"}', '{"status":"done"}', '{"unknown":true}'];
    for (const [method, path] of [
      ["POST", "/coordinator/jobs"],
      ["PATCH", "/coordinator/jobs/x/status"],
      ["PATCH", "/coordinator/jobs/x/progress"],
      ["POST", "/coordinator/jobs/x/complete"],
      ["POST", "/coordinator/jobs/x/fail"],
      ["POST", "/stitcher/webhook"],
      ["POST", "/stitcher/dispatch"],
    ] as const) {
      for (const body of bodies) requests.push([method, path, body, "application/json"]);
      requests.push([method, path, "text", "text/plain"]);
    }
    for (const path of ["/coordinator/jobs/%00", `/coordinator/jobs/${"x".repeat(100)}`])
      requests.push(["GET", path, undefined, ""]);
    const failures = [];
    for (const [method, path, body, type] of requests) {
      const response = await fetch(`${served.url}${path}`, {
        method,
        headers: { "x-api-key": coordinator.key, ...(type ? { "content-type": type } : {}) },
        body,
      });
      if (response.status < 400 || response.status >= 500) failures.push({ method, path, body, status: response.status });
      else expect(response.headers.get("content-type")).toBe("application/problem+json");
    }
    expect(failures).toEqual([]);
  });

  test("no key ever reaches the server's output", () => {
    for (const { key } of [coordinator, chat, retired]) expect(served.output()).not.toContain(key.slice(4));
  });
});

describe("api-key config errors stop tessera serve before it listens", () => {
  const serveWith = async (section: Record<string, unknown>) => {
    const dir = makeTempDir("e2e-keys-");
    const file = join(dir, "tessera.jsonc");
    writeFileSync(
      file,
      JSON.stringify({
        database: { url: "sqlite::memory:" },
        plugins: { "api-key": { enabled: true, ...section }, coordinator: { enabled: true } },
      }),
    );
    return runCli(["serve", "--config", file, "--port", "0"], dir);
  };

  test("a protected prefix with no key that could reach it", async () => {
    const result = await serveWith({
      keys: [{ name: "chat", hash: chat.hash, scopes: ["chat"] }],
      protect: { "/coordinator": "coordinator" },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("ERR_CONFIG_INVALID");
    expect(result.stderr).toContain('plugins.api-key.protect["/coordinator"]');
    expect(result.stdout).not.toContain("listening");
  });

  test("a malformed hash, with the file's line", async () => {
    const result = await serveWith({ keys: [{ name: "a", hash: "sha256:abc" }] });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/tessera\.jsonc:\d+:\d+ plugins\.api-key\.keys\[0\]\.hash/);
  });

  test("a duplicate key", async () => {
    const result = await serveWith({
      keys: [
        { name: "a", hash: chat.hash },
        { name: "b", hash: chat.hash },
      ],
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("plugins.api-key.keys[1].hash: the same key as keys[0]");
  });
});
