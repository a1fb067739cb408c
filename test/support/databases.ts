// The dialects a database suite runs against: SQLite always, PostgreSQL when reachable (see
// postgres.ts). Write a suite once and loop over `testDialects()`.
import type { Database, Dialect } from "../../core/db/database";
import { migrate } from "../../core/db/migrate";
import { openDatabase } from "../../core/db/open-database";
import { createScratchDatabase, postgresTestUrl } from "./postgres";

export interface TestDialect {
  dialect: Dialect;
  /** A fresh, empty database (no migrations applied); its close() also throws it away. */
  fresh(): Promise<Database>;
  /** A fresh database with every migration applied. */
  migrated(): Promise<Database>;
}

const freshSqlite = () => openDatabase("sqlite::memory:");

const freshPostgres = async (): Promise<Database> => {
  const scratch = await createScratchDatabase();
  const db = await openDatabase(scratch.url);
  return {
    ...db,
    async close() {
      await db.close();
      await scratch.drop();
    },
  };
};

const withMigrations = (fresh: () => Promise<Database>) => async () => {
  const db = await fresh();
  await migrate(db);
  return db;
};

export const testDialects = async (): Promise<TestDialect[]> => {
  const dialects: TestDialect[] = [{ dialect: "sqlite", fresh: freshSqlite, migrated: withMigrations(freshSqlite) }];
  if (await postgresTestUrl())
    dialects.push({ dialect: "postgres", fresh: freshPostgres, migrated: withMigrations(freshPostgres) });
  return dialects;
};

export interface TestDatabaseUrl {
  dialect: Dialect;
  /** A new empty database's `database.url`, and how to throw it away. */
  create(): Promise<{ url: string; drop: () => Promise<void> }>;
}

/** For suites that run a whole runtime: the `database.url` values to run them against. */
export const testDatabaseUrls = async (): Promise<TestDatabaseUrl[]> => {
  const urls: TestDatabaseUrl[] = [{ dialect: "sqlite", create: async () => ({ url: "sqlite::memory:", drop: async () => {} }) }];
  if (await postgresTestUrl()) urls.push({ dialect: "postgres", create: createScratchDatabase });
  return urls;
};
