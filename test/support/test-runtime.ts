// A whole runtime in process for unit tests: a temp directory with a tessera.jsonc, SQLite in memory by
// default, and `request()` that drives the app through app.handle (no network).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createLogger } from "../../core/log/json-logger";
import { createRuntime, type Runtime } from "../../core/runtime/create-runtime";

export interface TestRuntime {
  runtime: Runtime;
  dir: string;
  /** Absolute paths resolve against http://localhost. */
  request(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export interface TestRuntimeOptions {
  env?: Record<string, string | undefined>;
  /** Log lines land here instead of stdout. */
  logs?: string[];
  start?: boolean;
}

/** Temp directories live inside the repository so plugins written there resolve `elysia` and `tessera/plugin`. */
export const makeTempDir = (prefix: string): string => {
  const base = join(import.meta.dir, "..", "..", ".tmp");
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, prefix));
};

type ConfigInput = Record<string, unknown> | ((dir: string) => Record<string, unknown>);

export const startTestRuntime = async (config: ConfigInput, options: TestRuntimeOptions = {}): Promise<TestRuntime> => {
  const dir = makeTempDir("runtime-");
  const file = join(dir, "tessera.jsonc");
  const body = typeof config === "function" ? config(dir) : config;
  writeFileSync(file, JSON.stringify({ database: { url: "sqlite::memory:" }, ...body }, null, 2));
  const logs = options.logs;
  const log = createLogger({ level: "debug", write: (line) => logs?.push(line) });
  let runtime: Runtime;
  try {
    runtime = await createRuntime({ file, env: options.env ?? {}, cwd: dir, log });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  if (options.start !== false) await runtime.start();
  return {
    runtime,
    dir,
    request: (path, init) => runtime.app.handle(new Request(new URL(path, "http://localhost"), init)),
    close: async () => {
      await runtime.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
