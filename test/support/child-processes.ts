// The processes a test's server started directly (its isolated plugins' Deno children), found by parent
// pid in /proc, so that a test can check they end with the server, or by themselves when it is killed.
import { readdirSync, readFileSync } from "node:fs";

const parentOf = (pid: number): number | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
};

const commandOf = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
};

/** The live children of `parent` whose command line contains `containing`. */
export const childrenOf = (parent: number, containing: string): number[] =>
  readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => parentOf(pid) === parent && commandOf(pid).includes(containing));
