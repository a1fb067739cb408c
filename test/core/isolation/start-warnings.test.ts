import { expect, test } from "bun:test";
import { warnAboutIsolation } from "../../../core/isolation/start-warnings";
import type { Logger } from "../../../core/log/logger";
import type { LoadedPlugin } from "../../../core/plugins/load-plugins";

const plugin = (specifier: string, isolation: "process" | "none", commands: string[] = []) =>
  ({
    specifier,
    name: specifier.replace("./", ""),
    isolation,
    ...(isolation === "process" ? { isolated: { command: [], commands } } : {}),
  }) as LoadedPlugin;

test("warns once for a third-party plugin in process, naming what it can reach, and for commands an isolated plugin can't run", () => {
  const warnings: [string, Record<string, unknown> | undefined][] = [];
  const log = {
    warn: (message: string, fields?: Record<string, unknown>) => warnings.push([message, fields]),
  } as unknown as Logger;
  warnAboutIsolation(
    [
      plugin("websocket", "none"),
      plugin("./trusted", "none"),
      plugin("./boxed", "process"),
      plugin("./tools", "process", ["count", "purge"]),
    ],
    log,
  );
  expect(warnings).toEqual([
    [
      'plugin "./trusted" runs with "isolation": "none": it can reach the server\'s files, environment, network, processes and database, beyond its grants',
      { plugin: "trusted" },
    ],
    [
      'plugin "./tools" is isolated: its commands are not run (set "isolation": "none" to use them)',
      { plugin: "tools", commands: ["count", "purge"] },
    ],
  ]);
});
