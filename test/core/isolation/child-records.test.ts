import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { childRecords, endLeftoverChildren } from "../../../core/isolation/child-records";
import type { Logger } from "../../../core/log/logger";
import { processStartTime } from "../../../core/runtime/process-group";
import { isAlive } from "../../support/agent-processes";
import { makeTempDir } from "../../support/test-runtime";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

const spawned: number[] = [];
/** A detached process group that would outlive us, as a plugin's child left by a crash would. */
const leftover = () => {
  const proc = Bun.spawn(["sleep", "300"], { detached: true, stdio: ["ignore", "ignore", "ignore"] });
  spawned.push(proc.pid);
  return { pid: proc.pid, startTime: processStartTime(proc.pid) };
};
afterEach(() => {
  for (const pid of spawned.splice(0)) if (isAlive(pid)) process.kill(pid, "SIGKILL");
});

/** A pid and start time of a process that has ended. */
const goneOwner = () => {
  const proc = Bun.spawnSync(["true"]);
  return `${proc.pid}-1.json`;
};

describe("child records", () => {
  test("name this process's children in one file, removed once none is left", () => {
    const dir = makeTempDir("records-");
    const records = childRecords(dir);
    records.add({ pid: 101, startTime: 5 });
    records.add({ pid: 102, startTime: 6 });
    const [file] = readdirSync(dir);
    expect(file).toBe(`${process.pid}-${processStartTime(process.pid)}.json`);
    expect(JSON.parse(readFileSync(join(dir, file ?? ""), "utf8"))).toEqual([
      { pid: 101, startTime: 5 },
      { pid: 102, startTime: 6 },
    ]);
    records.remove(101);
    records.remove(102);
    expect(readdirSync(dir)).toEqual([]);
  });

  test("at start, the children a Tessera that died left behind are ended; a live Tessera's are not touched", async () => {
    const dir = makeTempDir("records-");
    const orphan = leftover();
    const owned = leftover();
    writeFileSync(join(dir, goneOwner()), JSON.stringify([orphan]));
    writeFileSync(join(dir, `${process.pid}-${processStartTime(process.pid)}.json`), JSON.stringify([owned]));
    expect(await endLeftoverChildren(dir, quiet)).toBe(1);
    expect(isAlive(orphan.pid)).toBe(false);
    expect(isAlive(owned.pid)).toBe(true);
    expect(readdirSync(dir)).toEqual([`${process.pid}-${processStartTime(process.pid)}.json`]);
  });

  test("a recorded pid now naming another process (another start time) is never signalled", async () => {
    const dir = makeTempDir("records-");
    const stranger = leftover();
    writeFileSync(join(dir, goneOwner()), JSON.stringify([{ pid: stranger.pid, startTime: (stranger.startTime ?? 0) - 1 }]));
    expect(await endLeftoverChildren(dir, quiet)).toBe(0);
    expect(isAlive(stranger.pid)).toBe(true);
  });

  test("a missing folder or a torn file ends nothing and fails nothing", async () => {
    expect(await endLeftoverChildren(join(makeTempDir("records-"), "absent"), quiet)).toBe(0);
    const dir = makeTempDir("records-");
    const torn = join(dir, goneOwner());
    writeFileSync(torn, "[{");
    expect(await endLeftoverChildren(dir, quiet)).toBe(0);
    expect(existsSync(torn)).toBe(false);
  });
});
