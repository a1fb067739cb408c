// Agent types whose processes leave a trace (a marker file of pids), and liveness checks on those pids,
// for tests that an agent's processes end with it. Tests reap every pid they recorded, even on failure.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempDir } from "./test-runtime";

// Run through a shell on purpose: `&` is the simplest way to leave processes behind.
const SHELL = "/bin/sh";
const ENV = { PATH: "/usr/bin:/bin" };

/** Records the shell's pid and two background children's in $MARKER, then waits on them. */
export const FORKING_SCRIPT = 'echo $$ >> "$MARKER"; sleep 300 & echo $! >> "$MARKER"; sleep 300 & echo $! >> "$MARKER"; wait';
/** The same with SIGTERM ignored by all of them (ignored signals stay ignored across exec): only SIGKILL ends it. */
export const STUBBORN_SCRIPT = `trap '' TERM; ${FORKING_SCRIPT}`;
/** Leaves a background child behind and exits at once, as a daemon-starting agent would. */
export const DAEMONIZING_SCRIPT = 'sleep 300 & echo $! >> "$MARKER"; exit 0';

export const shellType = (script: string, marker: string, extra: Record<string, unknown> = {}) => ({
  command: [SHELL, "-c", script],
  env: { ...ENV, MARKER: marker },
  timeoutMs: 10_000,
  ...extra,
});

/** A fresh marker file path in its own temp directory. */
export const markerFile = (): string => join(makeTempDir("agent-pids-"), "pids");

export const markedPids = (marker: string): number[] =>
  existsSync(marker)
    ? readFileSync(marker, "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map(Number)
    : [];

/** Alive and not a zombie (a zombie has ended and only waits for its parent to reap it). */
const gone = (error: unknown) => error instanceof Error && "code" in error && (error.code === "ENOENT" || error.code === "ESRCH");

export const isAlive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch (error) {
    if (gone(error)) return false;
    throw error;
  }
};

export const startTimeOf = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
};

/** Waits until the marker holds `count` pids. */
export const waitForPids = async (marker: string, count: number, timeoutMs = 5000): Promise<number[]> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = markedPids(marker);
    if (pids.length >= count) return pids;
    if (Date.now() > deadline) throw new Error(`${marker} holds ${pids.length} of ${count} pids after ${timeoutMs} ms`);
    await Bun.sleep(20);
  }
};

/** Waits until none of the pids is alive; returns those still alive at the deadline. */
export const survivors = async (pids: number[], timeoutMs = 3000): Promise<number[]> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = pids.filter(isAlive);
    if (alive.length === 0 || Date.now() > deadline) return alive;
    await Bun.sleep(20);
  }
};

/** Cleanup: SIGKILL whatever the markers name that still lives. */
export const reap = (...markers: string[]): void => {
  for (const pid of markers.flatMap(markedPids)) {
    if (!isAlive(pid)) continue;
    try {
      process.kill(pid, "SIGKILL");
    } catch (error) {
      // Ended between the check and the kill: what cleanup wants.
      if (!gone(error)) throw error;
    }
  }
};
