import { afterEach, describe, expect, test } from "bun:test";
import type { AdminEntry } from "../../../core/identity/types";
import { logged, reloadWith } from "../../support/reload-runtime";
import { startTestRuntime, type TestRuntime } from "../../support/test-runtime";

const configWith = (admins: AdminEntry[], websocket: Record<string, unknown> = {}) => ({
  admins,
  log: { level: "debug" },
  plugins: { websocket: { enabled: true, ...websocket } },
});

let t: TestRuntime | undefined;
let logs: string[] = [];
afterEach(async () => {
  await t?.close();
  t = undefined;
  logs = [];
});

const start = async (config: Record<string, unknown>) => {
  t = await startTestRuntime(config, { logs });
  return t;
};

const instanceOf = (runtime: TestRuntime) => {
  const context = runtime.runtime.plugins.find((plugin) => plugin.name === "websocket")?.context;
  if (!context) throw new Error("the websocket plugin was not set up");
  return context.instance;
};

const restartPaths = () => logged(logs, "config change needs a restart to take effect").map((entry) => entry.paths);

describe("reloading the config", () => {
  test("plugins see the reloaded admins in ctx.instance.admins; a refused file leaves them", async () => {
    const runtime = await start(configWith(["ops@example.com"]));
    const instance = instanceOf(runtime);

    await reloadWith(runtime, configWith(["lead@example.com", { issuer: "https://idp.example.com", sub: "42" }]));
    expect(instance.admins).toEqual(["lead@example.com", { issuer: "https://idp.example.com", sub: "42" }]);

    await reloadWith(runtime, { ...configWith(["nobody@example.com"]), log: { level: "loud" } });
    expect(logged(logs, "config reload failed: keeping the running config")).toHaveLength(1);
    expect(instance.admins).toEqual(["lead@example.com", { issuer: "https://idp.example.com", sub: "42" }]);
  });

  test("what a plugin can't apply is logged under its section, again at each reload until it is undone", async () => {
    const runtime = await start(configWith([]));

    await reloadWith(runtime, configWith([], { path: "/live", burst: 5 }));
    await reloadWith(runtime, configWith(["ops@example.com"], { path: "/live", burst: 5 }));
    await reloadWith(runtime, configWith(["ops@example.com"], { burst: 5 }));
    expect(restartPaths()).toEqual([["plugins.websocket.path"], ["plugins.websocket.path"]]);
    expect(logged(logs, "config reloaded").map((entry) => entry.plugins)).toEqual([["websocket"], [], ["websocket"]]);
  });
});
