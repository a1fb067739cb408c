// What the job API stores is what was sent, or a refusal: job titles follow the display-name rules
// (NFC, no control, bidirectional-formatting or lone surrogate characters); payload, data and result
// are any JSON, except numbers JSON can't carry back (they would come back as null); free text
// (messages, fail.error) is kept as sent.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type CoordinatorRuntime, serviceKeys, startCoordinator } from "./coordinator-runtime";

describe("text and numbers in the job API", () => {
  let c: CoordinatorRuntime;

  beforeAll(async () => {
    c = await startCoordinator();
  });
  afterAll(async () => {
    await c.close();
  });

  const raw = (method: string, path: string, body: string) =>
    c.t.request(path, {
      method,
      headers: { "x-api-key": serviceKeys.coordinator, "content-type": "application/json" },
      body,
    });
  const running = async () => {
    const job = await (await c.call("POST", "/coordinator/jobs", { workspaceId: c.workspaceId, type: "build" })).json();
    await c.call("PATCH", `/coordinator/jobs/${job.id}/status`, { status: "running" });
    return job.id as string;
  };

  test("refuses a payload, data or result number JSON can't round-trip (1e309)", async () => {
    const created = await raw(
      "POST",
      "/coordinator/jobs",
      `{"workspaceId":"${c.workspaceId}","type":"build","payload":{"n":[1,1e309]}}`,
    );
    expect(created.status).toBe(422);
    expect((await created.json()).path).toBe("/payload/n/1");
    const webhook = await raw("POST", "/stitcher/webhook", `{"workspaceId":"${c.workspaceId}","event":"chat","data":-1e309}`);
    expect(webhook.status).toBe(422);
    const id = await running();
    const completed = await raw("POST", `/coordinator/jobs/${id}/complete`, '{"result":{"total":1e400}}');
    expect(completed.status).toBe(422);
    expect((await (await c.call("GET", `/coordinator/jobs/${id}`)).json()).status).toBe("running");
  });

  test("stores payload numbers JSON can carry (1e308, -1) as sent", async () => {
    const created = await raw(
      "POST",
      "/coordinator/jobs",
      `{"workspaceId":"${c.workspaceId}","type":"build","payload":[1e308,-1,0.5]}`,
    );
    expect(created.status).toBe(201);
    const job = await (await c.call("GET", `/coordinator/jobs/${(await created.json()).id}`)).json();
    expect(job.payload).toEqual([1e308, -1, 0.5]);
  });

  test("refuses a job title with a control, bidirectional-override or lone surrogate character", async () => {
    for (const title of ["build\u0000", "build\nnow", "build\u0085", "txt.\u202eexe", "a\u2066b", "\u200fbuild"]) {
      const response = await c.call("POST", "/coordinator/jobs", { workspaceId: c.workspaceId, type: "build", title });
      expect({ title, status: response.status }).toEqual({ title, status: 422 });
    }
    const lone = await raw("POST", "/coordinator/jobs", `{"workspaceId":"${c.workspaceId}","type":"build","title":"a\\ud800"}`);
    expect(lone.status).toBe(422);
  });

  test("stores a job title NFC-normalised and caps it in characters", async () => {
    const created = await c.call("POST", "/coordinator/jobs", { workspaceId: c.workspaceId, type: "build", title: "Cafe\u0301" });
    expect((await created.json()).title).toBe("Caf\u00e9");
    const emoji = await c.call("POST", "/coordinator/jobs", {
      workspaceId: c.workspaceId,
      type: "build",
      title: "\u{1F680}".repeat(200),
    });
    expect(emoji.status).toBe(201);
    const long = await c.call("POST", "/coordinator/jobs", {
      workspaceId: c.workspaceId,
      type: "build",
      title: "\u{1F680}".repeat(201),
    });
    expect(long.status).toBe(422);
  });

  test("keeps free text as sent: a failure's error keeps its newlines and direction marks", async () => {
    const id = await running();
    const error = "step 2 failed:\n\tשגיאה \u200f(exit 1)";
    const failed = await c.call("POST", `/coordinator/jobs/${id}/fail`, { error });
    expect(failed.status).toBe(200);
    expect((await (await c.call("GET", `/coordinator/jobs/${id}`)).json()).error).toBe(error);
  });

  test("refuses a body that is not valid UTF-8 rather than storing it repaired", async () => {
    const id = await running();
    const prefix = new TextEncoder().encode('{"error":"bad byte ');
    const body = new Uint8Array([...prefix, 0xff, ...new TextEncoder().encode('"}')]);
    for (const [method, path] of [
      ["POST", `/coordinator/jobs/${id}/fail`],
      ["POST", "/stitcher/webhook"],
    ] as const) {
      const response = await c.t.request(path, {
        method,
        headers: { "x-api-key": serviceKeys.coordinator, "content-type": "application/json" },
        body,
      });
      expect(response.status, path).toBe(400);
      expect((await response.json()).code, path).toBe("ERR_BAD_REQUEST");
    }
    expect((await (await c.call("GET", `/coordinator/jobs/${id}`)).json()).status).toBe("running");
  });
});
