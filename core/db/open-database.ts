// Opens config `database.url`: SQLite through bun:sqlite, PostgreSQL through Bun.sql.
import type { Database } from "./database";
import { openPostgres, type PostgresDeadlines } from "./open-postgres";
import { openSqlite } from "./open-sqlite";
import { parseDatabaseUrl } from "./parse-database-url";

export type { Database, Dialect, Orm, PostgresDatabase, SqliteDatabase } from "./database";

export interface OpenDatabaseOptions {
  /** Relative SQLite paths resolve against this (the config file's directory); defaults to the process cwd. */
  cwd?: string;
  /** PostgreSQL's connect and statement deadlines (database.connectTimeoutMs, database.statementTimeoutMs). */
  deadlines?: PostgresDeadlines;
}

export const openDatabase = async (url: string, opts: OpenDatabaseOptions = {}): Promise<Database> => {
  const target = parseDatabaseUrl(url, opts.cwd);
  return target.dialect === "sqlite" ? openSqlite(target.path) : openPostgres(target.url, opts.deadlines);
};
