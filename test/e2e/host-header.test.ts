// Attack: `POST /coordinator/jobs HTTP/1.0` without a Host header reached the coordinator, while the
// API-key guard read another path from request.url and let a key without the coordinator scope through.
// Written byte for byte on a socket against the real server: fetch always sends a valid Host.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { issueApiKey } from "../support/api-keys";
import { ownerWithWorkspace, type ServedInstance, serveProcess } from "../support/serve-process";

const issue = (name: string, scopes: string) => issueApiKey(name, scopes);
const coordinator = await issue("coordinator", "coordinator");
const chat = await issue("chat", "chat");

/** One request as written, `host` null for none; the status and body of the answer. */
const raw = (url: string, line: string, host: string | null, headers: string[], body = "") =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const socket = connect({ host: hostname, port: Number(port) });
    let received = "";
    socket.on("data", (chunk) => {
      received += chunk.toString("utf8");
    });
    socket.on("error", reject);
    socket.on("end", () => {
      const split = received.indexOf("\r\n\r\n");
      resolve({ status: Number(received.split(" ")[1]), body: split < 0 ? "" : received.slice(split + 4) });
    });
    const head = [line, ...(host === null ? [] : [`Host: ${host}`]), ...headers, "Connection: close"];
    socket.write([...head, `Content-Length: ${Buffer.byteLength(body)}`, "", body].join("\r\n"));
  });

describe("the Host header and the routed path, over a socket", () => {
  let served: ServedInstance;
  let workspaceId = "";
  let host = "";

  beforeAll(async () => {
    served = await serveProcess({
      database: { url: "sqlite:./data/tessera.db" },
      plugins: {
        "api-key": {
          enabled: true,
          keys: [
            { name: "coordinator", hash: coordinator.hash, scopes: ["coordinator"] },
            { name: "chat", hash: chat.hash, scopes: ["chat"] },
          ],
          protect: { "/coordinator": "coordinator", "/stitcher": "coordinator" },
        },
        coordinator: { enabled: true },
      },
    });
    host = new URL(served.url).host;
    workspaceId = (await ownerWithWorkspace(served, "owner@example.com")).workspaceId;
  });
  afterAll(async () => {
    await served.stop();
  });

  const createJob = (line: string, hostHeader: string | null, key = chat.key) =>
    raw(
      served.url,
      line,
      hostHeader,
      [`X-API-Key: ${key}`, "Content-Type: application/json"],
      JSON.stringify({ workspaceId, type: "build" }),
    );

  const jobCount = async () => {
    const health = await raw(served.url, "GET /coordinator/health HTTP/1.1", host, [`X-API-Key: ${coordinator.key}`]);
    const { jobs } = JSON.parse(health.body) as { jobs: { pending: number; running: number } };
    return jobs.pending + jobs.running;
  };

  test("refuses a key without the coordinator scope sent over HTTP/1.0 with no Host header: 400 ERR_BAD_HOST", async () => {
    const response = await createJob("POST /coordinator/jobs HTTP/1.0", null);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ code: "ERR_BAD_HOST", instance: "/coordinator/jobs" });
    expect(await jobCount()).toBe(0);
  });

  test("refuses an empty or invalid Host the same way, whatever the key", async () => {
    for (const bad of ["", "a/b", "x@y", "a b"]) {
      const response = await createJob("POST /coordinator/jobs HTTP/1.1", bad, coordinator.key);
      expect({ bad, status: response.status }).toEqual({ bad, status: 400 });
      expect(JSON.parse(response.body).code).toBe("ERR_BAD_HOST");
    }
    const health = await raw(served.url, "GET /coordinator/health HTTP/1.0", null, [`X-API-Key: ${chat.key}`]);
    expect(health.status).toBe(400);
    expect(await jobCount()).toBe(0);
  });

  test("refuses a key without the scope behind a one-letter Host, where the router read a later segment", async () => {
    for (const path of ["/xx/coordinator/jobs", "/xxxxxx/coordinator/jobs"]) {
      expect((await createJob(`POST ${path} HTTP/1.1`, "a")).status).toBe(404);
    }
    const health = await raw(served.url, "GET /x/coordinator/health HTTP/1.1", "ab", [`X-API-Key: ${chat.key}`]);
    expect(health.status).toBe(404);
    expect(await jobCount()).toBe(0);
  });

  test("refuses encoded, doubled, dot-segment and upper-case spellings of the protected path, or routes them nowhere", async () => {
    for (const path of [
      "/coordinator/../coordinator/jobs",
      "/coordinator/%2e%2e/coordinator/jobs",
      "/./coordinator/jobs",
      "//coordinator/jobs",
      "/%63oordinator/jobs",
      "/Coordinator/jobs",
      "/coordinator//jobs",
      "/coordinator/jobs/",
      "/coordinator%2fjobs",
      "/coordinator\\jobs",
    ]) {
      const response = await createJob(`POST ${path} HTTP/1.1`, host);
      expect({ path, refused: [403, 404].includes(response.status) }).toEqual({ path, refused: true });
    }
    expect(await jobCount()).toBe(0);
  });

  test("serves a key with the scope and a proper Host", async () => {
    expect((await createJob("POST /coordinator/jobs HTTP/1.1", host, coordinator.key)).status).toBe(201);
    expect(await jobCount()).toBe(1);
  });
});
