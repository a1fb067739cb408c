// Starts `tessera serve` as a real process on a free port, as a self-hoster would, for e2e tests.
// TESSERA_BIN=dist/tessera makes the compiled binary the server under test instead of the source.
import { rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";
import { makeTempDir } from "./test-runtime";

const root = join(import.meta.dir, "..", "..");
/** How to run `tessera`: the binary when TESSERA_BIN names one, else this Bun on core/main.ts. */
export const TESSERA = process.env.TESSERA_BIN
  ? [resolve(root, process.env.TESSERA_BIN)]
  : [process.execPath, join(root, "core", "main.ts")];

export interface ServedInstance {
  url: string;
  dir: string;
  configFile: string;
  process: Subprocess<"ignore", "pipe", "pipe">;
  /** Everything the process wrote so far. */
  output(): string;
  /** Runs a CLI command against the same config (users create, sessions create, …). */
  cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  stop(signal?: NodeJS.Signals): Promise<number>;
}

export interface ServeOptions {
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Keep the temp directory (and its SQLite database) after stop, e.g. to restart on it. */
  dir?: string;
  /** A fixed port (default: any free one), for a publicUrl known before start or a restart on the same URL. */
  port?: number;
  /** How to run `tessera` (default: TESSERA). */
  command?: string[];
}

export const runCli = async (args: string[], cwd: string, env: Record<string, string> = {}, command = TESSERA) => {
  const child = Bun.spawn([...command, ...args], { cwd, env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { code, stdout, stderr };
};

/** A process whose stdout and stderr are collected as they come, for a test to read or show on failure. */
export const spawnLogged = (command: string[], cwd: string, env: Record<string, string> = {}) => {
  const child: Subprocess<"ignore", "pipe", "pipe"> = Bun.spawn(command, {
    cwd,
    env: { ...process.env, ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let output = "";
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    const reader = stream.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      output += decoder.decode(chunk.value, { stream: true });
    }
  };
  void collect(child.stdout);
  void collect(child.stderr);
  return { child, output: () => output };
};

export const serveProcess = async (
  config: Record<string, unknown> | string,
  options: ServeOptions = {},
): Promise<ServedInstance> => {
  const dir = options.dir ?? makeTempDir("e2e-");
  const configFile = join(dir, "tessera.jsonc");
  writeFileSync(configFile, typeof config === "string" ? config : JSON.stringify(config, null, 2));
  const env = { ...options.env };
  const command = options.command ?? TESSERA;
  const { child, output } = spawnLogged(
    [...command, "serve", "--config", configFile, "--port", String(options.port ?? 0)],
    dir,
    env,
  );

  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  let url: string | undefined;
  while (!url) {
    url = /Tessera listening on (http:\/\/\S+)/.exec(output())?.[1];
    if (url) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`tessera serve did not start (exit ${child.exitCode}):\n${output()}`);
    }
    await Bun.sleep(20);
  }
  const served = url;
  return {
    url: served,
    dir,
    configFile,
    process: child,
    output,
    cli: (...args) => runCli([...args, "--config", configFile], dir, env, command),
    stop: async (signal = "SIGTERM") => {
      child.kill(signal);
      const code = await child.exited;
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
};

/** A self-hoster's first steps on `served`: a user made with the CLI, a session token, a workspace they own. */
export const ownerWithWorkspace = async (served: ServedInstance, email: string, ...userFlags: string[]) => {
  await served.cli("users", "create", "--email", email, ...userFlags);
  const token = (await served.cli("sessions", "create", "--email", email)).stdout.trim();
  const workspace = await fetch(`${served.url}/workspaces`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "Platform" }),
  });
  if (workspace.status !== 201) throw new Error(`creating the workspace answered ${workspace.status}`);
  return { token, workspaceId: String((await workspace.json()).id) };
};
