// The core's handling of an isolated plugin's process, against a stand-in child run by Bun: the hello it
// must send, and the restarts (with backoff, 503s meanwhile) of a child that exits or breaks the protocol.
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { spawnChild } from "../../../core/isolation/child-process";
import { childRecords } from "../../../core/isolation/child-records";
import type { IsolationHost } from "../../../core/isolation/isolation-host";
import { Supervisor } from "../../../core/isolation/supervisor";
import type { Logger } from "../../../core/log/logger";
import type { PluginContext } from "../../../core/plugins/plugin-context";
import { childrenOf } from "../../support/child-processes";
import { makeTempDir } from "../../support/test-runtime";

const fakeChild = join(import.meta.dir, "support", "fake-child.ts");
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
const records = childRecords(makeTempDir("supervisor-records-"));
const fakeChildren = () => childrenOf(process.pid, "fake-child.ts");
const command = (mode: string, counter = "") => [process.execPath, fakeChild, mode, counter];

const spawn = (mode: string, helloTimeoutMs?: number) =>
  spawnChild({
    command: command(mode),
    env: {},
    cwd: import.meta.dir,
    log: quiet,
    records,
    specifier: "./fake",
    serve: () => undefined,
    helloTimeoutMs,
  });

describe("spawnChild", () => {
  test("a child speaking another protocol version is refused at start", async () => {
    await expect(spawn("wrong-protocol")).rejects.toEqual(
      expect.objectContaining({ code: "ERR_ISOLATION_PROTOCOL", message: expect.stringContaining("speaks protocol 2") }),
    );
  });

  test("a child that says no hello in time is refused at start", async () => {
    await expect(spawn("silent", 300)).rejects.toEqual(
      expect.objectContaining({ code: "ERR_ISOLATION_RUNTIME", message: expect.stringContaining("no hello within 300 ms") }),
    );
  });

  test("a child that exits before its hello is refused with what it wrote on stderr", async () => {
    await expect(spawn("exit")).rejects.toEqual(
      expect.objectContaining({
        code: "ERR_ISOLATION_RUNTIME",
        message: expect.stringMatching(/exited \(code 2\) before it was ready:\nboom: the plugin did not load/),
      }),
    );
  });
});

describe("Supervisor", () => {
  const supervisors: Supervisor[] = [];
  afterEach(async () => {
    for (const supervisor of supervisors.splice(0)) await supervisor.close();
  });

  const supervise = (mode: string) => {
    const counter = join(makeTempDir("supervisor-"), "launches");
    let restarts = 0;
    const host = { kit: () => ({ cwd: import.meta.dir }), records, env: {}, denoDir: "/tmp" } as unknown as IsolationHost;
    const ctx = {
      name: "fake",
      config: {},
      instance: { publicUrl: "http://localhost:3000", allowedOrigins: [], admins: [], instanceId: "test" },
      log: quiet,
    } as unknown as PluginContext;
    const supervisor = new Supervisor({
      host,
      specifier: "./fake",
      command: command(mode, counter),
      grants: { net: [], env: [], routes: ["/fake"] },
      ctx,
      restarts: { inc: () => restarts++ },
    });
    supervisors.push(supervisor);
    return { supervisor, restarts: () => restarts };
  };

  const pidOf = (supervisor: Supervisor) => {
    supervisor.channel();
    const [pid] = fakeChildren();
    if (pid === undefined) throw new Error("no child");
    return pid;
  };

  const waitFor = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await Bun.sleep(20);
    }
  };

  test("restarts a started child that exits: 503 with Retry-After and not ready meanwhile, then live again", async () => {
    const { supervisor, restarts } = supervise("serve");
    await supervisor.boot();
    await supervisor.start();
    expect(await supervisor.health()).toEqual({ ok: true });
    process.kill(pidOf(supervisor), "SIGKILL");
    await waitFor("the child lost", async () => !(await supervisor.health()).ok);
    expect(() => supervisor.channel()).toThrow(
      expect.objectContaining({ code: "ERR_UNAVAILABLE", status: 503, headers: { "Retry-After": "1" } }),
    );
    expect((await supervisor.health()).detail).toContain("restarting");
    await waitFor("the child back", async () => (await supervisor.health()).ok);
    expect(restarts()).toBe(1);
    expect(await supervisor.channel().call("http", {})).toMatchObject({ status: 200 });
  });

  test("ends and restarts a child that breaks the protocol", async () => {
    const { supervisor, restarts } = supervise("garbage");
    await supervisor.boot();
    await supervisor.start();
    await waitFor("the child back after the broken frame", async () => restarts() === 1 && (await supervisor.health()).ok);
    expect(fakeChildren().length).toBe(1);
  });

  test("a child that comes back with other routes is not taken back: it keeps failing, and says why", async () => {
    const { supervisor, restarts } = supervise("routes-change");
    await supervisor.boot();
    await supervisor.start();
    process.kill(pidOf(supervisor), "SIGKILL");
    await waitFor(
      "a failed restart",
      async () => restarts() >= 1 && (await supervisor.health()).detail?.includes("other routes") === true,
    );
    expect((await supervisor.health()).ok).toBe(false);
    await waitFor("a second attempt, after a longer wait", () => restarts() >= 2, 3000);
  });

  test("a WebSocket route is refused at start: isolated plugins serve no WebSockets", async () => {
    const { supervisor } = supervise("ws");
    await expect(supervisor.boot()).rejects.toEqual(
      expect.objectContaining({
        code: "ERR_PLUGIN_INVALID",
        path: "plugins../fake",
        message: expect.stringContaining("WebSocket routes are not supported by isolated plugins; use SSE"),
      }),
    );
  });

  test("close ends the child and no restart follows", async () => {
    const { supervisor, restarts } = supervise("serve");
    await supervisor.boot();
    await supervisor.start();
    const pid = pidOf(supervisor);
    await supervisor.close();
    expect(fakeChildren()).not.toContain(pid);
    await Bun.sleep(700);
    expect(restarts()).toBe(0);
    expect(await supervisor.health()).toEqual({ ok: false, detail: "stopped" });
  });
});
