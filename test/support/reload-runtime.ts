// SIGHUP for an in-process runtime: rewrite the config file startTestRuntime wrote, then reload.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TestRuntime } from "./test-runtime";

/** Writes `config` (over the in-memory database startTestRuntime defaults to) and runs the reload. */
export const reloadWith = async (t: Pick<TestRuntime, "dir" | "runtime">, config: Record<string, unknown>): Promise<void> => {
  writeFileSync(join(t.dir, "tessera.jsonc"), JSON.stringify({ database: { url: "sqlite::memory:" }, ...config }, null, 2));
  await t.runtime.reload();
};

/** The log lines (parsed) with this message. */
export const logged = (logs: readonly string[], msg: string): Record<string, unknown>[] =>
  logs.map((line) => JSON.parse(line)).filter((entry) => entry.msg === msg);
