// `tessera check` looks and never changes anything: no database file or folder is created, an existing
// database is left byte for byte as it was, and the plugins are still set up (on a scratch copy).
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { migrate } from "../../../core/db/migrate";
import { openDatabase } from "../../../core/db/open-database";
import { openSqlite } from "../../../core/db/open-sqlite";
import { createScratchDatabase, postgresTestUrl } from "../../support/postgres";
import { runCli } from "../../support/serve-process";
import { makeTempDir } from "../../support/test-runtime";

const postgres = await postgresTestUrl();
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

// The embedded default's plugins, websocket among them: its setup stores a ticket secret in `kv`.
const project = (url: string) => {
  const dir = makeTempDir("check-");
  dirs.push(dir);
  const file = join(dir, "tessera.jsonc");
  writeFileSync(
    file,
    JSON.stringify({ database: { url }, plugins: { websocket: { enabled: true }, console: { enabled: true } } }),
  );
  return { dir, file };
};

describe("tessera check", () => {
  test("on a missing SQLite database creates nothing, neither the file nor its folder, and still sets the plugins up", async () => {
    const { dir, file } = project("sqlite:./data/tessera.db");
    const result = await runCli(["check", "--config", file], dir);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/websocket\s+\S+\s+set up/);
    expect(result.stdout).toContain(`Database: sqlite:${join(dir, "data", "tessera.db")} does not exist yet`);
    expect(existsSync(join(dir, "data"))).toBe(false);
    expect(readdirSync(dir)).toEqual(["tessera.jsonc"]);
  });

  test("on an empty SQLite file leaves it untouched and names the migrations serve would apply", async () => {
    const { dir, file } = project("sqlite:./fresh.db");
    writeFileSync(join(dir, "fresh.db"), "");
    const result = await runCli(["check", "--config", file], dir);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /Database: sqlite:\S+fresh\.db: \d+ migration\(s\) pending \(`migrate` or `serve` applies them\): 0000_init/,
    );
    expect(readFileSync(join(dir, "fresh.db")).length).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(["fresh.db", "tessera.jsonc"]);
  });

  test("on a migrated SQLite database writes nothing, not even the ticket secret setup would store", async () => {
    const { dir, file } = project("sqlite:./live.db");
    const migrated = await runCli(["migrate", "--config", file], dir);
    expect(migrated.code).toBe(0);
    const before = readFileSync(join(dir, "live.db"));
    const listing = readdirSync(dir).sort();
    const result = await runCli(["check", "--config", file], dir);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Database: sqlite:${join(dir, "live.db")} is up to date`);
    expect(readFileSync(join(dir, "live.db")).equals(before)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(listing);
  });

  test("on a SQLite database a server has open, reads what it wrote that is still in the WAL", async () => {
    const dir = makeTempDir("check-");
    dirs.push(dir);
    const file = join(dir, "tessera.jsonc");
    writeFileSync(file, JSON.stringify({ database: { url: "sqlite:./open.db" }, plugins: {} }));
    const server = openSqlite(join(dir, "open.db"));
    try {
      await migrate(server);
      const listing = readdirSync(dir).sort();
      expect(listing).toContain("open.db-wal");
      const result = await runCli(["check", "--config", file], dir);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Database: sqlite:${join(dir, "open.db")} is up to date`);
      expect(readdirSync(dir).sort()).toEqual(listing);
    } finally {
      await server.close();
    }
  });

  test("refuses a mistyped plugin name with the built-in it is near, before any database is created", async () => {
    const { dir, file } = project("sqlite:./data/tessera.db");
    writeFileSync(
      file,
      JSON.stringify({ database: { url: "sqlite:./data/tessera.db" }, plugins: { websockt: { enabled: true } } }),
    );
    const result = await runCli(["check", "--config", file], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toStartWith('tessera: ERR_PLUGIN_NOT_FOUND: Unknown plugin "websockt" (did you mean "websocket"?)');
    expect(readdirSync(dir)).toEqual(["tessera.jsonc"]);
  });

  test.skipIf(!postgres)("on a fresh PostgreSQL database creates no table and still sets the plugins up", async () => {
    const scratch = await createScratchDatabase();
    try {
      const { dir, file } = project(scratch.url);
      const result = await runCli(["check", "--config", file], dir);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/websocket\s+\S+\s+set up/);
      expect(result.stdout).toMatch(/Database: postgres:\/\/\S+ is reachable/);
      const db = await openDatabase(scratch.url);
      try {
        if (db.dialect !== "postgres") throw new Error("expected PostgreSQL");
        const rows: { name: string }[] =
          await db.client`SELECT table_name AS name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')`;
        expect(rows).toEqual([]);
      } finally {
        await db.close();
      }
    } finally {
      await scratch.drop();
    }
  });

  test("refuses an unreachable PostgreSQL database", async () => {
    const { dir, file } = project("postgres://tessera@127.0.0.1:9/tessera");
    const result = await runCli(["check", "--config", file], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toStartWith("tessera: ERR_DB_UNREACHABLE:");
  });

  test("refuses a file that is not a SQLite database, and leaves it as it was", async () => {
    const { dir, file } = project("sqlite:./notes.db");
    writeFileSync(join(dir, "notes.db"), "these are notes, not a database\n".repeat(20));
    const result = await runCli(["check", "--config", file], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toStartWith("tessera: ERR_DB_UNREACHABLE: Cannot open the SQLite database at ");
    expect(readFileSync(join(dir, "notes.db"), "utf8")).toBe("these are notes, not a database\n".repeat(20));
    expect(readdirSync(dir).sort()).toEqual(["notes.db", "tessera.jsonc"]);
  });
});
