// An isolated plugin's own SQLite file: the core's tables are not in it, and nothing it sends can reach
// another file, change the connection or run a second statement.
import { Database as SqliteClient } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { migrate } from "../../../../core/db/migrate";
import { openDatabase } from "../../../../core/db/open-database";
import { openPluginDatabase, type PluginDatabase } from "../../../../core/isolation/database/plugin-database";
import { pluginSqlitePath } from "../../../../core/isolation/database/sqlite-plugin-database";
import { createLogger } from "../../../../core/log/json-logger";
import { makeTempDir } from "../../../support/test-runtime";

const dir = makeTempDir("plugin-sqlite-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const migrationsWith = (files: Record<string, string>) => {
  const folder = join(dir, `migrations-${crypto.randomUUID()}`);
  mkdirSync(folder);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(folder, file), text);
  return { sqlite: folder, postgres: folder };
};

const ITEMS = migrationsWith({ "0001_items.sql": "CREATE TABLE probe_items (id INTEGER PRIMARY KEY, text TEXT NOT NULL)" });

/** A core database with its tables at `<home>/tessera.db`, and the plugin's beside it. */
const openBesideCore = async (logs: string[] = []) => {
  const home = join(dir, crypto.randomUUID());
  const core = await openDatabase(`sqlite:${home}/tessera.db`);
  await migrate(core);
  await core.close();
  const log = createLogger({ level: "debug", write: (line) => logs.push(line) });
  const db = await openPluginDatabase({ url: "sqlite:./tessera.db", cwd: home, plugin: "probe", migrations: ITEMS, log });
  return { home, db };
};

const rows = async (db: PluginDatabase, sql: string, params: unknown[] = []) =>
  (await db.query({ sql, params: params as never[], method: "all" })).rows;

// What `work` failed with. Bun's `expect(promise).rejects` never sees a promise settled from a Worker's
// message (oven-sh/bun#43819), and the plugin's statements are answered from one.
const failure = (work: Promise<unknown>): Promise<unknown> =>
  work.then(
    () => new Error("expected a failure"),
    (error: unknown) => error,
  );

describe("an isolated plugin's SQLite database", () => {
  test("is its own file beside the core's, named for the plugin, with the same settings", async () => {
    expect(pluginSqlitePath("/srv/tessera/data.db", "Probe-One")).toBe("/srv/tessera/data.plugin-probe_one.sqlite");
    expect(pluginSqlitePath(":memory:", "probe")).toBe(":memory:");
    const { home, db } = await openBesideCore();
    try {
      expect(db.dialect).toBe("sqlite");
      expect(db.location).toBe(`sqlite:${home}/tessera.plugin-probe.sqlite`);
      const file = new SqliteClient(join(home, "tessera.plugin-probe.sqlite"), { readonly: true });
      try {
        expect(file.query("PRAGMA journal_mode").values()).toEqual([["wal"]]);
      } finally {
        file.close();
      }
    } finally {
      await db.close();
    }
  });

  test("does not hold the core's tables", async () => {
    const { db } = await openBesideCore();
    try {
      expect(await failure(rows(db, "SELECT * FROM users"))).toMatchObject({
        code: "ERR_DB_QUERY",
        status: 500,
        message: "no such table: users",
      });
    } finally {
      await db.close();
    }
  });

  test("refuses to attach the core's file, and nothing is attached afterwards", async () => {
    const { home, db } = await openBesideCore();
    try {
      const core = join(home, "tessera.db");
      expect(await failure(rows(db, `ATTACH DATABASE '${core}' AS core`))).toMatchObject({ code: "ERR_DB_QUERY" });
      expect(await failure(rows(db, `select 1; ATTACH DATABASE '${core}' AS core`))).toMatchObject({ code: "ERR_DB_QUERY" });
      expect(await failure(rows(db, "SELECT * FROM core.users"))).toMatchObject({ message: "no such table: core.users" });
      expect(await rows(db, "SELECT name FROM pragma_database_list")).toEqual([["main"]]);
    } finally {
      await db.close();
    }
  });

  test("refuses PRAGMA, transactions and VACUUM INTO, which change nothing", async () => {
    const { home, db } = await openBesideCore();
    try {
      expect(await failure(rows(db, "PRAGMA foreign_keys = OFF"))).toMatchObject({ code: "ERR_DB_QUERY" });
      expect(await rows(db, "SELECT foreign_keys FROM pragma_foreign_keys")).toEqual([[1]]);
      expect(await failure(rows(db, "BEGIN"))).toMatchObject({ code: "ERR_DB_QUERY" });
      const copy = join(home, "copy.db");
      expect(await failure(rows(db, `VACUUM INTO '${copy}'`))).toMatchObject({ code: "ERR_DB_QUERY" });
      expect(existsSync(copy)).toBe(false);
    } finally {
      await db.close();
    }
  });

  test("never runs a second statement", async () => {
    const { db } = await openBesideCore();
    try {
      await rows(db, "INSERT INTO probe_items (text) VALUES ('kept')");
      expect(await failure(rows(db, "INSERT INTO probe_items (text) VALUES ('a'); DELETE FROM probe_items"))).toMatchObject({
        code: "ERR_DB_QUERY",
      });
      expect(await rows(db, "SELECT text FROM probe_items")).toEqual([["kept"]]);
    } finally {
      await db.close();
    }
  });

  test("bun:sqlite prepares only the first statement of a text (the second line of defence)", () => {
    const client = new SqliteClient(":memory:");
    try {
      client.run("CREATE TABLE t (x INTEGER)");
      client.prepare("INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)").run();
      expect(client.query("SELECT x FROM t").values()).toEqual([[1]]);
    } finally {
      client.close();
    }
  });

  test("keeps load_extension off", async () => {
    const { db } = await openBesideCore();
    try {
      expect(await failure(rows(db, "SELECT load_extension('/tmp/nothing.so')"))).toMatchObject({
        code: "ERR_DB_QUERY",
        message: "not authorized",
      });
    } finally {
      await db.close();
    }
  });

  test("refuses a parameter that is a list or an object", async () => {
    const { db } = await openBesideCore();
    try {
      expect(await failure(db.query({ sql: "SELECT ?", params: [[1, 2]], method: "all" }))).toMatchObject({
        code: "ERR_DB_QUERY",
      });
    } finally {
      await db.close();
    }
  });

  test("applies the plugin's migrations into its own file once; a re-open applies none", async () => {
    const logs: string[] = [];
    const { home, db } = await openBesideCore(logs);
    await db.close();
    expect(logs.filter((line) => line.includes("applied the isolated plugin's migrations"))).toHaveLength(1);
    expect(logs.join("\n")).toContain("probe/0001_items");
    const log = createLogger({ level: "debug", write: (line) => logs.push(line) });
    const again = await openPluginDatabase({
      url: `sqlite:${home}/tessera.db`,
      cwd: "/",
      plugin: "probe",
      migrations: ITEMS,
      log,
    });
    try {
      expect(logs.filter((line) => line.includes("applied the isolated plugin's migrations"))).toHaveLength(1);
      expect(await rows(again, "SELECT plugin, name FROM __tessera_plugin_migrations")).toEqual([["probe", "0001_items"]]);
    } finally {
      await again.close();
    }
    const core = new SqliteClient(join(home, "tessera.db"), { readonly: true });
    try {
      expect(
        core.query("SELECT name FROM sqlite_master WHERE name LIKE 'probe%' OR name = '__tessera_plugin_migrations'").all(),
      ).toEqual([]);
    } finally {
      core.close();
    }
  });

  test("refuses migrations that reach outside the plugin's prefix, as in process", async () => {
    const home = join(dir, crypto.randomUUID());
    const log = createLogger({ write: () => {} });
    const migrations = migrationsWith({ "0001_users.sql": "CREATE TABLE users (id INTEGER)" });
    expect(
      await failure(openPluginDatabase({ url: "sqlite:./t.db", cwd: home, plugin: "probe", migrations, log })),
    ).toMatchObject({
      code: "ERR_DB_MIGRATION",
    });
  });

  test("a database in memory gives the plugin one in memory", async () => {
    const log = createLogger({ write: () => {} });
    const db = await openPluginDatabase({ url: "sqlite::memory:", cwd: dir, plugin: "probe", migrations: ITEMS, log });
    try {
      expect(db.location).toBe("sqlite::memory:");
      expect(await rows(db, "SELECT count(*) FROM probe_items")).toEqual([[0]]);
    } finally {
      await db.close();
    }
  });

  test("the core's file is untouched by the plugin's work", async () => {
    const { home, db } = await openBesideCore();
    const before = readFileSync(join(home, "tessera.db"));
    try {
      await rows(db, "INSERT INTO probe_items (text) VALUES ('x')");
    } finally {
      await db.close();
    }
    expect(readFileSync(join(home, "tessera.db")).equals(before)).toBe(true);
  });
});
