// The database behind an isolated plugin's `db.query` calls: its own, never the core's. The core runs
// the plugin's statements, so isolation must come from the database itself: on SQLite a file of its own,
// run on a thread of its own (sqlite-plugin-database.ts), on PostgreSQL a login role and schema of its
// own whose privileges the server enforces (postgres-plugin-database.ts). Its migrations are applied
// there when it opens.
import { DEFAULT_DEADLINES, type PostgresDeadlines } from "../../db/open-postgres";
import { parseDatabaseUrl } from "../../db/parse-database-url";
import type { Logger } from "../../log/logger";
import type { DbQueryParams, DbQueryResult } from "../wire/protocol";
import { openPostgresPluginDatabase } from "./postgres-plugin-database";
import { openSqlitePluginDatabase } from "./sqlite-plugin-database";

export interface PluginDatabase {
  dialect: "sqlite" | "postgres";
  /** Safe to log. */
  location: string;
  query(params: DbQueryParams): Promise<DbQueryResult>;
  close(): Promise<void>;
}

export interface OpenPluginDatabaseOptions {
  /** config database.url as written, and the dir relative SQLite paths resolve against. */
  url: string;
  cwd: string;
  /** The plugin's name (definition name). */
  plugin: string;
  migrations: { sqlite: string; postgres: string };
  log: Logger;
  /** The deadlines as the core uses them (see open-postgres.ts); on SQLite, each statement's too. */
  deadlines?: PostgresDeadlines;
}

export const openPluginDatabase = async (options: OpenPluginDatabaseOptions): Promise<PluginDatabase> => {
  const target = parseDatabaseUrl(options.url, options.cwd);
  const deadlines = options.deadlines ?? DEFAULT_DEADLINES;
  return target.dialect === "sqlite"
    ? openSqlitePluginDatabase(target.path, options.plugin, options.migrations, options.log, deadlines.statementTimeoutMs)
    : openPostgresPluginDatabase(target.url, options.plugin, options.migrations, options.log, deadlines);
};
