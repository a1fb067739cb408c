// An isolated plugin's SQLite statements run on a thread of their own, each with a deadline: a statement
// that never ends costs the plugin its answer, never the core its event loop.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openPluginDatabase, type PluginDatabase } from "../../../../core/isolation/database/plugin-database";
import { createLogger } from "../../../../core/log/json-logger";
import { makeTempDir } from "../../../support/test-runtime";

const dir = makeTempDir("plugin-sqlite-deadline-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const migrations = (() => {
  const folder = join(dir, "migrations");
  mkdirSync(folder);
  writeFileSync(join(folder, "0001_items.sql"), "CREATE TABLE probe_items (id INTEGER PRIMARY KEY, text TEXT NOT NULL)");
  return { sqlite: folder, postgres: folder };
})();

const ENDLESS = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM r) SELECT count(*) FROM r";
// About a second of work, far past the deadlines below, yet it ends: its thread is not left spinning.
const SLOW = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM r WHERE n < 10000000) SELECT count(*) FROM r";

const open = (statementTimeoutMs: number, url = "sqlite:./tessera.db", logs: string[] = []) =>
  openPluginDatabase({
    url,
    cwd: join(dir, crypto.randomUUID()),
    plugin: "probe",
    migrations,
    log: createLogger({ level: "debug", write: (line) => logs.push(line) }),
    deadlines: { connectTimeoutMs: 3_000, statementTimeoutMs },
  });

const rows = async (db: PluginDatabase, sql: string) => (await db.query({ sql, params: [], method: "all" })).rows;

// What `work` failed with. Bun's `expect(promise).rejects` never sees a promise settled from a Worker's
// message (oven-sh/bun#43819), and the plugin's statements are answered from one.
const failure = (work: Promise<unknown>): Promise<unknown> =>
  work.then(
    () => new Error("expected a failure"),
    (error: unknown) => error,
  );

const TIMED_OUT = { code: "ERR_DB_UNREACHABLE", status: 503, headers: { "Retry-After": "1" } };

/** The Worker objects made while `body` runs, as Bun announces them. */
const workersMadeBy = async <T>(body: () => Promise<T>): Promise<{ value: T; workers: Worker[] }> => {
  const workers: Worker[] = [];
  const record = (worker: Worker) => workers.push(worker);
  process.on("worker", record);
  try {
    return { value: await body(), workers };
  } finally {
    process.off("worker", record);
  }
};

const ended = (worker: Worker) => new Promise<void>((done) => worker.addEventListener("close", () => done()));

describe("an isolated plugin's SQLite statements", () => {
  test("run one at a time, each in turn", async () => {
    const db = await open(3_000);
    try {
      const inserts = Array.from({ length: 20 }, (_, index) => rows(db, `INSERT INTO probe_items (text) VALUES ('${index}')`));
      await Promise.all(inserts);
      expect(await rows(db, "SELECT count(*), group_concat(text) FROM probe_items")).toEqual([
        [20, Array.from({ length: 20 }, (_, index) => index).join(",")],
      ]);
    } finally {
      await db.close();
    }
  });

  test("a plugin leaves at most two threads behind; beyond, its statements answer 503 at once until one ends", async () => {
    const { value: db, workers } = await workersMadeBy(async () => {
      const db = await open(150);
      expect(await failure(rows(db, SLOW))).toMatchObject(TIMED_OUT);
      expect(await failure(rows(db, SLOW))).toMatchObject(TIMED_OUT);
      return db;
    });
    try {
      expect(workers).toHaveLength(2);
      const asked = performance.now();
      expect(await failure(rows(db, "SELECT 1"))).toMatchObject({ code: "ERR_DB_UNREACHABLE", status: 503 });
      expect(performance.now() - asked).toBeLessThan(100);
      await Promise.all(workers.map(ended));
      expect(await rows(db, "SELECT 1")).toEqual([[1]]);
    } finally {
      await db.close();
    }
  }, 30_000);

  test("a database in memory starts over, migrated, after a statement past its deadline", async () => {
    const db = await open(150, "sqlite::memory:");
    try {
      await rows(db, "INSERT INTO probe_items (text) VALUES ('lost')");
      expect(await failure(rows(db, SLOW))).toMatchObject(TIMED_OUT);
      expect(await rows(db, "SELECT count(*) FROM probe_items")).toEqual([[0]]);
    } finally {
      await db.close();
    }
  }, 30_000);

  test("close() closes the file and ends its thread; statements after it answer 503", async () => {
    const { value: db, workers } = await workersMadeBy(() => open(3_000));
    expect(workers).toHaveLength(1);
    const [worker] = workers;
    if (worker === undefined) throw new Error("no worker");
    const gone = ended(worker);
    await rows(db, "INSERT INTO probe_items (text) VALUES ('x')");
    const wal = `${db.location.slice("sqlite:".length)}-wal`;
    expect(existsSync(wal)).toBe(true);
    await db.close();
    await gone;
    // The last connection to close checkpoints the log into the file and removes it.
    expect(existsSync(wal)).toBe(false);
    expect(await failure(rows(db, "SELECT 1"))).toMatchObject({ code: "ERR_DB_UNREACHABLE", status: 503 });
  });

  test("close() answers a running statement 503 and does not wait for it", async () => {
    const db = await open(10_000);
    const slow = failure(rows(db, SLOW));
    await Bun.sleep(50);
    const closing = performance.now();
    await db.close();
    expect(performance.now() - closing).toBeLessThan(200);
    expect(await slow).toMatchObject({ code: "ERR_DB_UNREACHABLE", status: 503 });
  }, 30_000);

  // Last: its thread runs on until the process ends.
  test("an endless statement answers 503 at its deadline while the core keeps answering", async () => {
    const logs: string[] = [];
    const db = await open(500, undefined, logs);
    const server = Bun.serve({ port: 0, fetch: () => new Response("up") });
    try {
      await rows(db, "INSERT INTO probe_items (text) VALUES ('kept')");
      const started = performance.now();
      const endless = failure(rows(db, ENDLESS));
      const asked = performance.now();
      const response = await fetch(server.url);
      expect(await response.text()).toBe("up");
      expect(performance.now() - asked).toBeLessThan(100);
      expect(await endless).toMatchObject(TIMED_OUT);
      expect(performance.now() - started).toBeLessThan(1_500);
      expect(logs.join("\n")).toContain("ran past its deadline");
      // The next statement runs on a fresh thread, on the same file.
      expect(await rows(db, "SELECT text FROM probe_items")).toEqual([["kept"]]);
    } finally {
      server.stop(true);
      await db.close();
    }
  }, 10_000);
});
