// A child that runs as the leader of its own session and process group (setsid at spawn: a federation
// agent, an isolated plugin) is ended with everything it started, not only its first process. A run is
// named by its leader's pid and start time (/proc/<pid>/stat starttime, clock ticks since boot): a pid
// the kernel has since handed to another process has another start time, and is never signalled.
import { readdirSync, readFileSync } from "node:fs";

export interface RunProcess {
  pid: number;
  /** The leader's start time; null where /proc is not there to read it. */
  startTime: number | null;
}

interface Stat {
  state: string;
  pgrp: number;
  session: number;
  startTime: number;
}

const isMissing = (error: unknown) =>
  error instanceof Error && "code" in error && (error.code === "ENOENT" || error.code === "ESRCH");

// The command name (field 2) may hold spaces and parentheses, so fields are counted from the last ")".
const readStat = (pid: number): Stat | null => {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return {
    state: fields[0] ?? "",
    pgrp: Number(fields[2]),
    session: Number(fields[3]),
    startTime: Number(fields[19]),
  };
};

const hasProc = (): boolean => readStat(process.pid) !== null;

/** The start time of a process, or null when it is gone or there is no /proc. */
export const processStartTime = (pid: number): number | null => readStat(pid)?.startTime ?? null;

const numeric = /^\d+$/;

/**
 * The live processes of a run's session (the leader's, and any its children made with setpgid):
 * none when the leader's pid now names another process. A process that called setsid itself has
 * left the session and is not found; see docs/federation.md.
 */
export const runMembers = (run: RunProcess & { startTime: number }): number[] => {
  const leader = readStat(run.pid);
  if (leader && leader.startTime !== run.startTime) return [];
  const members: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!numeric.test(entry)) continue;
    const stat = readStat(Number(entry));
    // Every member started at or after its leader; a zombie is already dead, waiting to be reaped.
    if (stat && stat.state !== "Z" && stat.session === run.pid && stat.startTime >= run.startTime) members.push(Number(entry));
  }
  return members;
};

const send = (pid: number, signal: NodeJS.Signals) => {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
};

/**
 * Signals the whole run: its process group at once, then each member of its session. Without a start
 * time to check against (no /proc), only the group of a leader this process still holds as its child.
 */
export const signalRun = (run: RunProcess, signal: NodeJS.Signals, options: { ownChild: boolean }): void => {
  const { startTime } = run;
  if (startTime === null || !hasProc()) {
    if (options.ownChild) send(-run.pid, signal);
    return;
  }
  const leader = readStat(run.pid);
  if (leader && leader.startTime !== startTime) return;
  const members = runMembers({ pid: run.pid, startTime });
  // The group's id stays reserved while any member lives, so it can only name this run's group.
  if (leader || members.length > 0) send(-run.pid, signal);
  for (const pid of members) send(pid, signal);
};

/** Whether any process of the run is still alive (false when that can't be known: no start time or /proc). */
export const runAlive = (run: RunProcess): boolean =>
  run.startTime !== null && hasProc() && runMembers({ pid: run.pid, startTime: run.startTime }).length > 0;

const POLL_MS = 50;
// After SIGKILL the kernel ends the processes at once; this only bounds the wait to see them gone.
const KILL_SETTLE_MS = 1000;

const gone = async (run: RunProcess, withinMs: number): Promise<boolean> => {
  const deadline = Date.now() + withinMs;
  while (runAlive(run)) {
    if (Date.now() >= deadline) return false;
    await Bun.sleep(POLL_MS);
  }
  return true;
};

/**
 * Ends a run this process no longer holds (left by a crashed process): SIGTERM, then SIGKILL to what is
 * left after the grace period. True when nothing of it was left running.
 */
export const endLeftoverRun = async (run: RunProcess, graceMs: number): Promise<boolean> => {
  if (!runAlive(run)) return true;
  signalRun(run, "SIGTERM", { ownChild: false });
  if (await gone(run, graceMs)) return true;
  signalRun(run, "SIGKILL", { ownChild: false });
  return gone(run, KILL_SETTLE_MS);
};
