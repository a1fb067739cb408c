import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { copyFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pluginLog, writePlugin } from "../../fixtures/plugins/make-plugin";
import { makeTempDir, startTestRuntime } from "../../support/test-runtime";

const greeterSource = join(import.meta.dir, "..", "..", "fixtures", "plugins", "greeter.ts");

let dir: string;
beforeEach(() => {
  dir = makeTempDir("loader-");
  pluginLog().length = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runtime whose config lives in `dir`, so relative plugin paths resolve there. The plugins run in process
 * (they report through a global of this process); isolated ones: isolated-plugins.test.ts.
 */
const runtimeIn = (plugins: Record<string, unknown>, env: Record<string, string> = {}) =>
  startTestRuntime(() => ({ plugins: inProcess(plugins) }), { env, start: true }).then((test) => test);

const inProcess = (plugins: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(plugins).map(([specifier, section]) => [specifier, { isolation: "none", ...(section as object) }]),
  );

const withGreeter = (section: Record<string, unknown>) => {
  copyFileSync(greeterSource, join(dir, "greeter.ts"));
  return { [join(dir, "greeter.ts")]: { enabled: true, ...section } };
};

describe("plugin loading", () => {
  test("loads a third-party plugin by path through the public API and serves its routes", async () => {
    const runtime = await runtimeIn(withGreeter({ greeting: "hi", permissions: { routes: ["/greeter"] } }));
    try {
      const response = await runtime.request("/greeter/hello");
      expect(await response.json()).toEqual({ message: "hi, world" });
      const [plugin] = runtime.runtime.plugins;
      expect(plugin).toMatchObject({ name: "greeter", version: "1.2.3", state: "started" });
    } finally {
      await runtime.close();
    }
  });

  test("refuses routes outside the granted prefixes at start-up", async () => {
    const error = await runtimeIn(withGreeter({ permissions: { routes: ["/elsewhere"] } })).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "ERR_PERMISSION_ROUTE", value: "/greeter/hello" });
    expect(String((error as Error).message)).toContain(".permissions.route");
  });

  test("a plugin without a route grant mounts nothing", async () => {
    const error = await runtimeIn(withGreeter({})).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "ERR_PERMISSION_ROUTE" });
  });

  test("an ungranted environment variable is denied at use, a granted one is read", async () => {
    const runtime = await runtimeIn(withGreeter({ permissions: { routes: ["/greeter"], env: ["GREETER_NAME"] } }), {
      GREETER_NAME: "Ada",
      OTHER_SECRET: "s3cret",
    });
    try {
      expect(await (await runtime.request("/greeter/env/GREETER_NAME")).json()).toEqual({ value: "Ada" });
      const denied = await runtime.request("/greeter/env/OTHER_SECRET");
      expect(denied.status).toBe(500);
      const text = await denied.text();
      expect(text).not.toContain("s3cret");
      expect(JSON.parse(text)).toMatchObject({ code: "ERR_INTERNAL" });
    } finally {
      await runtime.close();
    }
  });

  test("an ungranted host is denied at use", async () => {
    const runtime = await runtimeIn(withGreeter({ upstream: "http://127.0.0.1:9/", permissions: { routes: ["/greeter"] } }));
    try {
      expect((await runtime.request("/greeter/upstream")).status).toBe(500);
    } finally {
      await runtime.close();
    }
  });

  test("plugin config is validated against the plugin's schema with its config path", async () => {
    const error = await runtimeIn(withGreeter({ greting: "typo", permissions: { routes: ["/greeter"] } })).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: "ERR_CONFIG_INVALID" });
    expect(String((error as Error).message)).toMatch(/greting.*did you mean.*greeting/i);
  });

  test("starts in dependency order and stops in reverse", async () => {
    const a = writePlugin(dir, { name: "alpha", requires: ["beta"] });
    const b = writePlugin(dir, { name: "beta" });
    const runtime = await runtimeIn({ [join(dir, a)]: { enabled: true }, [join(dir, b)]: { enabled: true } });
    await runtime.close();
    expect(pluginLog()).toEqual([
      "setup:beta",
      "setup:alpha",
      "start:beta",
      "start:alpha",
      "stop:alpha",
      "cleanup:alpha",
      "stop:beta",
      "cleanup:beta",
    ]);
  });

  test("a plugin that throws in setup stops start-up and cleans up the ones already set up", async () => {
    const a = writePlugin(dir, { name: "first" });
    const b = writePlugin(dir, { name: "broken", requires: ["first"], setup: 'throw new Error("no luck");' });
    const error = await runtimeIn({ [join(dir, a)]: { enabled: true }, [join(dir, b)]: { enabled: true } }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({
      code: "ERR_PLUGIN_SETUP",
      message: expect.stringContaining('"broken" failed in setup: Error: no luck'),
    });
    expect(pluginLog()).toEqual(["setup:first", "setup:broken", "cleanup:broken", "cleanup:first"]);
  });

  test("a setup that hangs times out", async () => {
    const a = writePlugin(dir, { name: "sleepy", setup: "await new Promise(() => {});" });
    const started = performance.now();
    const { createRuntime } = await import("../../../core/runtime/create-runtime");
    writeFileSync(
      join(dir, "tessera.jsonc"),
      JSON.stringify({ database: { url: "sqlite::memory:" }, plugins: { [a]: { enabled: true } } }),
    );
    const error = await createRuntime({ file: join(dir, "tessera.jsonc"), env: {}, cwd: dir, pluginTimeoutMs: 200 }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: "ERR_PLUGIN_TIMEOUT" });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  test("a failing start stops the plugins already started, in reverse", async () => {
    const a = writePlugin(dir, { name: "one" });
    const b = writePlugin(dir, { name: "two", requires: ["one"], start: 'throw new Error("cannot");' });
    const error = await runtimeIn({ [join(dir, a)]: { enabled: true }, [join(dir, b)]: { enabled: true } }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: "ERR_PLUGIN_SETUP", message: expect.stringContaining('"two" failed to start') });
    expect(pluginLog()).toEqual(["setup:one", "setup:two", "start:one", "start:two", "cleanup:two", "stop:one", "cleanup:one"]);
  });

  test("refuses a setup that returns its Elysia app instead of its parts, naming the fix", async () => {
    writeFileSync(
      join(dir, "bare.ts"),
      'import { Elysia, t } from "elysia";\nimport { definePlugin } from "tessera/plugin";\nexport default definePlugin({ name: "bare", version: "1.0.0", config: t.Object({}), setup: () => new Elysia() });\n',
    );
    const error = await runtimeIn({ [join(dir, "bare.ts")]: { enabled: true } }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: "ERR_PLUGIN_INVALID",
      message: 'Plugin "bare": setup returned an Elysia app; return { routes: app } instead',
    });
  });

  test("two runtimes of one plugin module keep their own state in setup's closures", async () => {
    const source = `import { t } from "elysia";
import { definePlugin } from "tessera/plugin";
export default definePlugin({ name: "counter", version: "1.0.0", config: t.Object({ label: t.String() }),
  setup(ctx) { let starts = 0; return { start() { starts += 1; }, health: () => ({ ok: true, detail: ctx.config.label + ":" + starts }) }; } });
`;
    writeFileSync(join(dir, "counter.ts"), source);
    const first = await runtimeIn({ [join(dir, "counter.ts")]: { enabled: true, label: "one" } });
    const second = await runtimeIn({ [join(dir, "counter.ts")]: { enabled: true, label: "two" } });
    try {
      expect(await first.runtime.plugins[0]?.parts?.health?.()).toEqual({ ok: true, detail: "one:1" });
      expect(await second.runtime.plugins[0]?.parts?.health?.()).toEqual({ ok: true, detail: "two:1" });
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  test("a disabled plugin is never imported", async () => {
    writeFileSync(join(dir, "explodes.ts"), 'throw new Error("imported!");\n');
    const runtime = await runtimeIn({ [join(dir, "explodes.ts")]: { enabled: false } });
    expect(runtime.runtime.disabled).toEqual([join(dir, "explodes.ts")]);
    await runtime.close();
  });

  test("an unknown specifier names the config path and the three kinds of specifier", async () => {
    const error = await runtimeIn({ "no-such-plugin-xyz": { enabled: true } }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "ERR_PLUGIN_NOT_FOUND", path: "plugins.no-such-plugin-xyz" });
    expect(String((error as Error).message)).toContain("not a built-in");
  });

  test("a module without a definePlugin default export is refused", async () => {
    writeFileSync(join(dir, "plain.ts"), "export const x = 1;\n");
    const error = await runtimeIn({ [join(dir, "plain.ts")]: { enabled: true } }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "ERR_PLUGIN_INVALID" });
  });
});
