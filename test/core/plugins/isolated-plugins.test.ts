// The loader with plugins run isolated (a real Deno child each): what it refuses at start, exactly as for
// a plugin in process, and what a forwarded request carries and brings back.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempDir, startTestRuntime, type TestRuntime } from "../../support/test-runtime";

/** A plugin folder (package.json + index.ts) whose setup is `setup`, with `top` at the module's top level. */
const pluginFolder = (setup: string, extra: { top?: string; definition?: string } = {}) => {
  const dir = join(makeTempDir("isolated-loader-"), "plugin");
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "p", type: "module", exports: "./index.ts" }));
  writeFileSync(
    join(dir, "index.ts"),
    `import { Elysia, t } from "elysia";
import { conflict, definePlugin } from "tessera/plugin";
${extra.top ?? ""}
export default definePlugin({
  name: "boxed",
  version: "0.0.1",
  config: t.Object({ size: t.Integer({ minimum: 1, default: 1 }) }),
  ${extra.definition ?? ""}
  setup: (ctx) => { ${setup} },
});
`,
  );
  return dir;
};

const run = (folder: string, section: Record<string, unknown> = {}, logs?: string[]) =>
  startTestRuntime({ plugins: { [folder]: { enabled: true, permissions: { routes: ["/boxed"] }, ...section } } }, { logs });

describe("isolated plugins at start", () => {
  test("the plugin's module is never imported into the core", async () => {
    const folder = pluginFolder("return {};", { top: "(globalThis as Record<string, unknown>).importedHere = true;" });
    const served = await run(folder);
    expect(served.runtime.plugins[0]).toMatchObject({ name: "boxed", isolation: "process", state: "started" });
    expect((globalThis as Record<string, unknown>).importedHere).toBeUndefined();
    await served.close();
  });

  test("a route outside permissions.routes is refused as in process", async () => {
    const folder = pluginFolder('return { routes: new Elysia().get("/elsewhere", () => "x") };');
    await expect(run(folder)).rejects.toEqual(expect.objectContaining({ code: "ERR_PERMISSION_ROUTE", value: "/elsewhere" }));
  });

  test("migrations outside the plugin's folder are refused", async () => {
    const folder = pluginFolder("return {};", { definition: 'migrations: { sqlite: "/tmp", postgres: "/tmp" },' });
    await expect(run(folder)).rejects.toEqual(
      expect.objectContaining({ code: "ERR_PLUGIN_INVALID", message: expect.stringContaining("is not inside its own folder") }),
    );
  });

  test("its config is checked against its own schema, errors at the config path", async () => {
    const folder = pluginFolder("return {};");
    await expect(run(folder, { size: 0 })).rejects.toEqual(
      expect.objectContaining({ code: "ERR_CONFIG_INVALID", message: expect.stringContaining(`plugins["${folder}"].size`) }),
    );
  });

  test("a value set from the environment reaches it as in process; an error names the file, line and path", async () => {
    const folder = pluginFolder('return { routes: new Elysia().get("/boxed/size", () => ({ size: ctx.config.size })) };');
    const section = { enabled: true, permissions: { routes: ["/boxed"] }, size: "${BOXED_SIZE}" };
    const withSize = (size: string) => startTestRuntime({ plugins: { [folder]: section } }, { env: { BOXED_SIZE: size } });
    const served = await withSize("3");
    expect(await (await served.request("/boxed/size")).json()).toEqual({ size: "3" });
    await served.close();
    const refused = await withSize("many").then(
      () => new Error("started"),
      (error: Error) => error,
    );
    expect(refused).toMatchObject({ code: "ERR_CONFIG_INVALID" });
    expect(refused.message).toMatch(new RegExp(`tessera\\.jsonc:\\d+:\\d+ plugins\\["${folder}"\\]\\.size: `));
  });

  test("a WebSocket route, which Elysia on Deno would drop unseen, is refused at start", async () => {
    const folder = pluginFolder('return { routes: new Elysia().get("/boxed", () => "x").ws("/boxed/live", { message() {} }) };');
    await expect(run(folder)).rejects.toEqual(
      expect.objectContaining({
        code: "ERR_PLUGIN_INVALID",
        message: expect.stringContaining("WebSocket routes are not supported"),
      }),
    );
  });

  test("commands it declares are not run while isolated, and start-up says so", async () => {
    const folder = pluginFolder("return {};", {
      definition: 'commands: [{ name: "boxed count", summary: "count", run: async () => 0 }],',
    });
    const logs: string[] = [];
    const served = await run(folder, {}, logs);
    expect(served.runtime.plugins[0]?.isolated?.commands).toEqual(["boxed count"]);
    expect(logs.some((line) => line.includes("its commands are not run"))).toBe(true);
    await served.close();
  });
});

describe("a request forwarded to an isolated plugin", () => {
  let served: TestRuntime;
  const folder = pluginFolder(`return {
    routes: new Elysia()
      .get("/boxed/headers", ({ request }) => Object.fromEntries(request.headers))
      .get("/boxed/conflict", () => { throw conflict("already there", { details: { id: 1 } }); })
      .post("/boxed/small", ({ request }) => request.text(), { parse: "none" }),
    bodyLimits: [{ path: "/boxed/small", bytes: 10, refuse: () => new Error("unused") }],
  };`);
  const started = run(folder).then((runtime) => {
    served = runtime;
  });
  afterAll(() => served?.close());

  test("carries the headers but not the credentials, which stay in the core", async () => {
    await started;
    const response = await served.request("/boxed/headers", {
      headers: {
        authorization: "Bearer s3cret",
        cookie: "tessera_session=s3cret",
        "x-api-key": "s3cret",
        "x-custom": "kept",
        "x-request-id": "req-1",
      },
    });
    const headers = (await response.json()) as Record<string, string>;
    expect(headers["x-custom"]).toBe("kept");
    expect(JSON.stringify(headers)).not.toContain("s3cret");
  });

  test("an error the plugin throws is the core's problem+json, with its code and the request id", async () => {
    await started;
    const response = await served.request("/boxed/conflict", { headers: { "x-request-id": "req-2" } });
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ code: "ERR_CONFLICT", detail: "already there", requestId: "req-2" });
  });

  test("a body over the route's declared limit is refused with the core's 413 before it reaches the plugin", async () => {
    await started;
    const response = await served.request("/boxed/small", {
      method: "POST",
      body: "x".repeat(11),
      headers: { "content-type": "text/plain", "content-length": "11" },
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: "ERR_BODY_TOO_LARGE" });
    const small = await served.request("/boxed/small", {
      method: "POST",
      body: "fits",
      headers: { "content-type": "text/plain" },
    });
    expect(await small.text()).toBe("fits");
  });
});
