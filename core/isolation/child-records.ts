// Which isolated-plugin children this Tessera process started, on disk, so that the next start can end
// those a Tessera that died without cleanup left behind. One file per Tessera process, named by its pid
// and start time: a live Tessera's children are never touched, whoever else shares the folder.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../log/logger";
import { endLeftoverRun, processStartTime, type RunProcess, runAlive } from "../runtime/process-group";

export interface ChildRecords {
  add(run: RunProcess): void;
  remove(pid: number): void;
}

const FILE = /^(\d+)-(\d+)\.json$/;
const GRACE_MS = 2000;

const readRuns = (file: string): RunProcess[] => {
  try {
    const value: unknown = JSON.parse(readFileSync(file, "utf8"));
    if (!Array.isArray(value)) return [];
    return value.filter(
      (run): run is RunProcess =>
        typeof run === "object" &&
        run !== null &&
        Number.isInteger(run.pid) &&
        (run.startTime === null || Number.isInteger(run.startTime)),
    );
  } catch {
    // A file cut short by the crash it records: nothing in it can be trusted to signal.
    return [];
  }
};

// One per folder in a process: every runtime in it (tests run several) writes the same file.
const byDir = new Map<string, ChildRecords>();

/** Records for this process in `dir`; a no-op without /proc, where a run can't be named safely. */
export const childRecords = (dir: string): ChildRecords => {
  const known = byDir.get(dir);
  if (known) return known;
  const records = openRecords(dir);
  byDir.set(dir, records);
  return records;
};

const openRecords = (dir: string): ChildRecords => {
  const self = processStartTime(process.pid);
  if (self === null) return { add: () => undefined, remove: () => undefined };
  const file = join(dir, `${process.pid}-${self}.json`);
  const runs = new Map<number, RunProcess>();
  const save = () => {
    if (runs.size === 0) rmSync(file, { force: true });
    else {
      mkdirSync(dir, { recursive: true });
      writeFileSync(file, JSON.stringify([...runs.values()]));
    }
  };
  return {
    add(run) {
      runs.set(run.pid, run);
      save();
    },
    remove(pid) {
      if (runs.delete(pid)) save();
    },
  };
};

/** Ends the children recorded by Tessera processes that are gone; returns how many runs were ended. */
export const endLeftoverChildren = async (dir: string, log: Logger): Promise<number> => {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  let ended = 0;
  for (const name of names) {
    const match = FILE.exec(name);
    if (!match) continue;
    const [owner, started] = [Number(match[1]), Number(match[2])];
    if (processStartTime(owner) === started) continue;
    const file = join(dir, name);
    for (const run of readRuns(file)) {
      if (!runAlive(run)) continue;
      if (await endLeftoverRun(run, GRACE_MS)) ended += 1;
      else log.warn("an isolated plugin's child left by a previous Tessera did not end", { pid: run.pid });
    }
    rmSync(file, { force: true });
  }
  if (ended > 0) log.warn("ended isolated plugin children left by a Tessera that stopped without cleanup", { count: ended });
  return ended;
};
