// Turns configured agent types into runnable commands at start-up, so a missing program stops the
// server with a config error instead of failing every run. "bun" means the Bun running Tessera (inside
// the single binary, the binary itself told to act as Bun); other bare names are found on PATH (read
// through ctx.env, never handed to the agent). Memory and CPU limits are set by running the command
// through util-linux's prlimit, which sets them and then executes it in its place.
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { buildInfo, TesseraError } from "tessera/plugin";
import { type AgentTypeConfig, DEFAULT_AGENT_TIMEOUT_MS } from "../config";

export interface AgentType {
  name: string;
  argv: string[];
  env: Record<string, string>;
  timeoutMs: number;
  limits: { inputBytes: number; outputBytes: number | null };
}

export const DEFAULT_INPUT_BYTES = 32 * 1024;
// Where prlimit is looked for when there is no PATH, as execvp would.
const SYSTEM_PATH = "/usr/bin:/bin";

const configPath = (name: string, key: string) => `plugins.federation.agents.types.${name}.${key}`;

// prlimit sets the limits on itself and then executes the command, which keeps its pid.
const withRlimits = (name: string, argv: string[], limits: AgentTypeConfig["limits"], path: () => string | undefined) => {
  const options = [
    ...(limits?.memoryBytes === undefined ? [] : [`--as=${limits.memoryBytes}`]),
    ...(limits?.cpuSeconds === undefined ? [] : [`--cpu=${limits.cpuSeconds}`]),
  ];
  if (options.length === 0) return argv;
  const prlimit = Bun.which("prlimit", { PATH: path() ?? SYSTEM_PATH });
  if (prlimit === null) {
    const at = configPath(name, "limits");
    throw new TesseraError("ERR_CONFIG_INVALID", `${at}: memoryBytes and cpuSeconds need prlimit (util-linux), not found`, {
      path: at,
    });
  }
  return [prlimit, ...options, "--", ...argv];
};

const locate = (program: string, baseDir: string, path: () => string | undefined): string | null => {
  if (program === "bun") return process.execPath;
  if (!program.includes("/")) return Bun.which(program, { PATH: path() ?? "" });
  const file = isAbsolute(program) ? program : resolve(baseDir, program);
  return existsSync(file) ? file : null;
};

export const resolveAgentTypes = (
  types: Record<string, AgentTypeConfig>,
  baseDir: string,
  path: () => string | undefined,
): Map<string, AgentType> => {
  const resolved = new Map<string, AgentType>();
  for (const [name, type] of Object.entries(types)) {
    const [program = "", ...args] = type.command;
    const found = locate(program, baseDir, path);
    if (found === null) {
      const path = configPath(name, "command");
      throw new TesseraError("ERR_CONFIG_INVALID", `${path}: no executable "${program}" (bare names are looked up on PATH)`, {
        path,
      });
    }
    // The binary runs its own CLI unless BUN_BE_BUN asks it to be the plain Bun it carries.
    const asBun: Record<string, string> = program === "bun" && buildInfo.binary ? { BUN_BE_BUN: "1" } : {};
    resolved.set(name, {
      name,
      argv: withRlimits(name, [found, ...args], type.limits, path),
      env: { ...asBun, ...type.env },
      timeoutMs: type.timeoutMs ?? DEFAULT_AGENT_TIMEOUT_MS,
      limits: { inputBytes: type.limits?.inputBytes ?? DEFAULT_INPUT_BYTES, outputBytes: type.limits?.outputBytes ?? null },
    });
  }
  return resolved;
};
