// What running isolated plugins needs from the process that runs them: the Deno binary (found once, on
// first use, and logged), the child program's files, the folder for Deno's cache and the record of
// children, the server's environment (granted variables are copied from it) and the database settings
// the plugins' own databases derive from.
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PostgresDeadlines } from "../db/open-postgres";
import type { Logger } from "../log/logger";
import { buildInfo } from "../runtime/build-info";
import { type ChildKit, childKit } from "./child-kit";
import { type ChildRecords, childRecords, endLeftoverChildren } from "./child-records";
import { type DenoRuntime, findDeno, installDir } from "./find-deno";
import { privateDir } from "./private-dir";

export interface IsolationHost {
  deno(): DenoRuntime;
  kit(): ChildKit;
  /** DENO_DIR of every child: Deno's own transpile cache. */
  denoDir: string;
  records: ChildRecords;
  env: Record<string, string | undefined>;
  log: Logger;
  database: { url: string; cwd: string; deadlines: PostgresDeadlines };
  /** server.maxJsonDepth, which the child applies to request bodies as the core does. */
  maxJsonDepth: number;
  /** Ends the children a Tessera that died without cleanup left; once per process is enough. */
  endLeftovers(): Promise<number>;
}

export interface IsolationHostOptions {
  /** isolation.deno from config. */
  deno?: string;
  env: Record<string, string | undefined>;
  log: Logger;
  database: IsolationHost["database"];
  maxJsonDepth: number;
  /** Where the cache and the records live; by default one folder per user under the system's temp folder. */
  stateDir?: string;
}

const ROOT = join(import.meta.dir, "..", "..");

const defaultStateDir = () => join(tmpdir(), `tessera-isolation-${process.getuid?.() ?? "user"}`);

export const isolationHost = (options: IsolationHostOptions): IsolationHost => {
  const requested = options.stateDir ?? defaultStateDir();
  // Checked (and made) on first use, so a server without isolated plugins never touches it.
  let checked: string | undefined;
  const stateDir = () => {
    checked ??= privateDir(requested);
    return checked;
  };
  let deno: DenoRuntime | undefined;
  let kit: ChildKit | undefined;
  return {
    deno() {
      if (!deno) {
        deno = findDeno({ configured: options.deno, installDir: installDir(buildInfo.binary, ROOT), path: options.env.PATH });
        options.log.info("isolated plugins run on Deno", { deno: deno.path, version: deno.version, from: deno.source });
      }
      return deno;
    },
    kit() {
      kit ??= childKit(stateDir());
      return kit;
    },
    get denoDir() {
      return join(stateDir(), "deno");
    },
    get records() {
      return childRecords(join(stateDir(), "children"));
    },
    env: options.env,
    log: options.log,
    database: options.database,
    maxJsonDepth: options.maxJsonDepth,
    async endLeftovers() {
      if (!existsSync(requested)) return 0;
      try {
        stateDir();
      } catch (error) {
        // Records in a folder someone else could write name nothing to kill; isolated plugins will refuse it too.
        options.log.warn("not ending leftover isolated plugin processes", { error });
        return 0;
      }
      return endLeftoverChildren(join(requested, "children"), options.log);
    },
  };
};
