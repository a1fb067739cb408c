// Applies the drizzle-kit migrations of the database's dialect and reports which ones ran.
// PostgreSQL holds an advisory lock throughout, so instances that start together take turns.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { drizzle as drizzlePostgres } from "drizzle-orm/bun-sql";
import { migrate as migratePostgres } from "drizzle-orm/bun-sql/migrator";
import { drizzle as drizzleSqlite } from "drizzle-orm/bun-sqlite";
import { migrate as migrateSqlite } from "drizzle-orm/bun-sqlite/migrator";
import { TesseraError } from "../errors/tessera-error";
import type { Database, PostgresDatabase, SqliteDatabase } from "./database";
// Importing a migration as a file gives its folder both from source and inside the compiled binary,
// where scripts/build.ts embeds the folders under the same paths.
import postgresFirst from "./migrations/postgres/0000_init.sql" with { type: "file" };
import sqliteFirst from "./migrations/sqlite/0000_init.sql" with { type: "file" };

export interface MigrateOptions {
  /** Defaults to `core/db/migrations/<dialect>` (embedded in the binary). */
  migrationsFolder?: string;
}

const FOLDERS = { sqlite: dirname(sqliteFirst), postgres: dirname(postgresFirst) };

// Our own name, so another drizzle application sharing the database keeps its history apart.
const MIGRATIONS_TABLE = "__tessera_migrations";
const MIGRATIONS_SCHEMA = "drizzle";
// Any constant works; it only has to be the same in every Tessera instance.
const ADVISORY_LOCK_KEY = 0x7e55e7a;

interface JournalEntry {
  tag: string;
  when: number;
}

const readJournal = (folder: string): JournalEntry[] => {
  const journal: unknown = JSON.parse(readFileSync(join(folder, "meta", "_journal.json"), "utf8"));
  const entries = typeof journal === "object" && journal !== null && "entries" in journal ? journal.entries : undefined;
  if (!Array.isArray(entries)) throw new Error(`${folder}/meta/_journal.json has no entries list`);
  return entries.map((entry: unknown) => {
    if (typeof entry !== "object" || entry === null || !("tag" in entry) || !("when" in entry)) {
      throw new Error(`${folder}/meta/_journal.json has an entry without tag and when`);
    }
    return { tag: String(entry.tag), when: Number(entry.when) };
  });
};

// drizzle records each applied migration by its journal `when`; that is how names are matched back.
const appliedSqlite = (db: SqliteDatabase): Set<number> => {
  const exists = db.client.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(MIGRATIONS_TABLE);
  if (!exists) return new Set();
  const rows = db.client.query<{ created_at: number }, []>(`SELECT created_at FROM "${MIGRATIONS_TABLE}"`).all();
  return new Set(rows.map((row) => Number(row.created_at)));
};

const appliedPostgres = async (db: PostgresDatabase): Promise<Set<number>> => {
  const qualified = `"${MIGRATIONS_SCHEMA}"."${MIGRATIONS_TABLE}"`;
  const [found] = await db.client`SELECT to_regclass(${qualified}) IS NOT NULL AS present`;
  if (!found?.present) return new Set();
  const rows: { created_at: string | number }[] = await db.client.unsafe(`SELECT created_at FROM ${qualified}`);
  return new Set(rows.map((row) => Number(row.created_at)));
};

const runSqlite = (db: SqliteDatabase, folder: string) => {
  const before = appliedSqlite(db);
  // bun:sqlite is synchronous, so nothing else in this process can interleave.
  migrateSqlite(drizzleSqlite({ client: db.client }), { migrationsFolder: folder, migrationsTable: MIGRATIONS_TABLE });
  return { before, after: appliedSqlite(db) };
};

/**
 * Runs `work` while holding the migration lock every instance takes. Advisory locks belong to a
 * connection: one reserved connection holds it while `work` uses the pool.
 */
export const withMigrationLock = async <T>(db: PostgresDatabase, work: () => Promise<T>): Promise<T> => {
  const lock = await db.client.reserve();
  try {
    await lock`SELECT pg_advisory_lock(${ADVISORY_LOCK_KEY})`;
    try {
      return await work();
    } finally {
      await lock`SELECT pg_advisory_unlock(${ADVISORY_LOCK_KEY})`;
    }
  } finally {
    await lock.release();
  }
};

const runPostgres = (db: PostgresDatabase, folder: string) =>
  withMigrationLock(db, async () => {
    const before = await appliedPostgres(db);
    await migratePostgres(drizzlePostgres({ client: db.client }), {
      migrationsFolder: folder,
      migrationsTable: MIGRATIONS_TABLE,
      migrationsSchema: MIGRATIONS_SCHEMA,
    });
    return { before, after: await appliedPostgres(db) };
  });

export const innermostMessage = (error: unknown): string => {
  let current = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
};

/** Applies pending migrations; returns the names (journal tags) of those it applied, oldest first. */
export const migrate = async (db: Database, opts: MigrateOptions = {}): Promise<string[]> => {
  const folder = opts.migrationsFolder ?? FOLDERS[db.dialect];
  try {
    const journal = readJournal(folder);
    const { before, after } = db.dialect === "sqlite" ? runSqlite(db, folder) : await runPostgres(db, folder);
    return journal.filter((entry) => after.has(entry.when) && !before.has(entry.when)).map((entry) => entry.tag);
  } catch (cause) {
    throw new TesseraError("ERR_DB_MIGRATION", `Migrating the ${db.dialect} database failed: ${innermostMessage(cause)}`, {
      path: folder,
      cause,
    });
  }
};

export interface MigrationState {
  name: string;
  applied: boolean;
}

/** Each of the core's migrations, oldest first, and whether this database has it; applies nothing. */
export const migrationStatus = async (db: Database, opts: MigrateOptions = {}): Promise<MigrationState[]> => {
  const folder = opts.migrationsFolder ?? FOLDERS[db.dialect];
  const applied = db.dialect === "sqlite" ? appliedSqlite(db) : await appliedPostgres(db);
  return readJournal(folder).map((entry) => ({ name: entry.tag, applied: applied.has(entry.when) }));
};
