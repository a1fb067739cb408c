import { afterEach, describe, expect, test } from "bun:test";
import { TesseraError } from "../../../../core/errors/tessera-error";
import { PROTOCOL_VERSION } from "../../../../core/isolation/wire/protocol";
import { FIXTURE, type RunningChild, runChild, SETUP, send, setUpChild } from "./run-child";

let child: RunningChild | undefined;
afterEach(() => child?.kill());

const rejection = async (promise: Promise<unknown>): Promise<TesseraError> => {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof TesseraError)) throw new Error(`expected a TesseraError, got ${String(error)}`);
  return error;
};

describe("the isolated plugin's child", () => {
  test("says hello first, naming the protocol and the runtime", async () => {
    child = runChild();
    const hello = await child.hello;
    expect(hello.protocol).toBe(PROTOCOL_VERSION);
    expect(hello.runtime).toMatch(/^deno \d+\.\d+\.\d+/);
  });

  test("defines the plugin from its module: name, version, migrations, commands", async () => {
    child = runChild();
    expect(await child.channel.call("define", null)).toEqual({
      name: "probe",
      version: "1.0.0",
      requires: [],
      migrations: { sqlite: `${FIXTURE}/migrations/sqlite`, postgres: `${FIXTURE}/migrations/postgres` },
      commands: [],
    });
  });

  test("configures with defaults applied, without the core's keys", async () => {
    child = runChild();
    const section = { enabled: true, isolation: "process", memoryMb: 128, permissions: { routes: ["/probe"] } };
    expect(await child.channel.call("configure", { specifier: "./isolated-plugin", section })).toEqual({
      config: { greeting: "world" },
    });
  });

  test("refuses a bad section with ERR_CONFIG_INVALID and the config paths, as in process", async () => {
    child = runChild();
    const error = await rejection(
      child.channel.call("configure", {
        specifier: "./isolated-plugin",
        section: { enabled: true, greeting: "", colour: "red" },
      }),
    );
    expect(error.code).toBe("ERR_CONFIG_INVALID");
    expect(error.details?.errors).toEqual([
      { path: 'plugins["./isolated-plugin"].colour', message: "unknown property, expected one of `greeting`" },
      { path: 'plugins["./isolated-plugin"].greeting', message: "expected a non-empty string" },
    ]);
    expect(error.path).toBe('plugins["./isolated-plugin"].colour');
    expect(error.message).toContain('plugins["./isolated-plugin"].greeting: expected a non-empty string');
  });

  test("reports every route setup returned, with its lifecycle", async () => {
    child = runChild();
    await child.hello;
    const result = (await child.channel.call("setup", SETUP)) as { routes: { method: string; path: string }[]; has: object };
    expect(result.routes).toContainEqual({ method: "GET", path: "/probe/hello" });
    expect(result.routes).toContainEqual({ method: "POST", path: "/probe/echo" });
    expect(result.routes).toContainEqual({ method: "POST", path: "/probe/publish/:workspaceId" });
    expect(result.routes).toHaveLength(18);
    expect(result.has).toEqual({ start: true, stop: true, health: true, reload: true });
  });

  test("starts, answers health and stops, logging through the core", async () => {
    child = runChild();
    await child.channel.call("setup", SETUP);
    await child.channel.call("start", null);
    expect(await child.channel.call("health", null)).toEqual({ ok: true });
    await child.channel.call("stop", null);
    expect(child.logs.map((line) => line.message)).toEqual(["probe started", "probe stopped"]);
  });

  test("ends when its stdin closes: no child outlives the core", async () => {
    child = runChild();
    await child.hello;
    child.closeStdin();
    expect(await child.exited).toBe(0);
  });

  test("past its heap cap (memoryMb) the child dies, for the core to restart, instead of taking the machine's memory", async () => {
    child = await setUpChild({}, {}, {}, undefined, 64);
    const started = performance.now();
    const answer = send(child, "GET", "/probe/hog").catch((error: unknown) => error);
    expect(await child.exited).not.toBe(0);
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(await answer).toBeInstanceOf(Error);
  }, 30_000);
});
