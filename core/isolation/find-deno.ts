// Which Deno runs isolated plugins: isolation.deno when configured (it must exist and run), else
// node_modules/.bin/deno of this install (the repository's, or beside the single binary), else `deno` on PATH.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { TesseraError } from "../errors/tessera-error";

export interface DenoRuntime {
  path: string;
  /** e.g. "deno 2.9.6". */
  version: string;
  /** Which of the three places it was found in, for the start-up log. */
  source: "isolation.deno" | "node_modules" | "PATH";
}

export interface FindDenoOptions {
  configured?: string;
  /** The install's folder: the repository from source, the binary's folder for the single binary. */
  installDir: string;
  /** PATH to search. */
  path?: string;
}

/** The install's folder as the running Tessera sees it. */
export const installDir = (binary: boolean, root: string): string => (binary ? dirname(process.execPath) : root);

const versionOf = (path: string): string | undefined => {
  try {
    const ran = Bun.spawnSync([path, "--version"], { stdout: "pipe", stderr: "ignore", env: {} });
    if (ran.exitCode !== 0) return undefined;
    const first = ran.stdout.toString().split("\n")[0] ?? "";
    return /^deno \S+/.exec(first)?.[0];
  } catch {
    // A file that isn't an executable is reported by the caller as not running.
    return undefined;
  }
};

const where = (options: FindDenoOptions) =>
  `isolation.deno, ${join(options.installDir, "node_modules/.bin/deno")}, or deno on PATH`;

export const findDeno = (options: FindDenoOptions): DenoRuntime => {
  if (options.configured !== undefined) {
    const version = existsSync(options.configured) ? versionOf(options.configured) : undefined;
    if (!version) {
      throw new TesseraError(
        "ERR_ISOLATION_RUNTIME",
        `isolation.deno: ${options.configured} does not exist or does not run as deno`,
        {
          path: "isolation.deno",
        },
      );
    }
    return { path: options.configured, version, source: "isolation.deno" };
  }
  const local = join(options.installDir, "node_modules/.bin/deno");
  const localVersion = existsSync(local) ? versionOf(local) : undefined;
  if (localVersion) return { path: local, version: localVersion, source: "node_modules" };
  const onPath = Bun.which("deno", { PATH: options.path ?? process.env.PATH ?? "" });
  const pathVersion = onPath ? versionOf(onPath) : undefined;
  if (onPath && pathVersion) return { path: onPath, version: pathVersion, source: "PATH" };
  throw new TesseraError(
    "ERR_ISOLATION_RUNTIME",
    `No Deno to run isolated plugins: looked at ${where(options)}. Install it (npm install deno), set isolation.deno, or set "isolation": "none" on the plugin to run it inside the server`,
    { path: "isolation.deno" },
  );
};
