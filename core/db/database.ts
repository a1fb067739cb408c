// The open database as the runtime and plugins see it, whichever dialect holds it.
import type { Database as SqliteClient } from "bun:sqlite";
import type { SQL } from "bun";
import type { BunSQLQueryResultHKT } from "drizzle-orm/bun-sql";
import type { PgDatabase } from "drizzle-orm/pg-core";
import type { Tables } from "./schema/tables";

export type Dialect = "sqlite" | "postgres";

/** The drizzle handle repositories query through (typed as PostgreSQL's; see `shared-view.ts`). */
export type Orm = PgDatabase<BunSQLQueryResultHKT>;

interface DatabaseBase {
  orm: Orm;
  /** The dialect's tables; use these, not the ones in `schema/`, in queries. */
  tables: Tables;
  /** Where the database is, safe to log (no password). */
  location: string;
  /**
   * True when the database answers within a few seconds. A failure resolves false and its
   * reason goes to `onError`, for a health check that still wants to log why.
   */
  ping(onError?: (error: unknown) => void): Promise<boolean>;
  /** Closes the connection(s); safe to call twice. */
  close(): Promise<void>;
}

export interface SqliteDatabase extends DatabaseBase {
  dialect: "sqlite";
  client: SqliteClient;
}

export interface PostgresDatabase extends DatabaseBase {
  dialect: "postgres";
  client: SQL;
}

export type Database = SqliteDatabase | PostgresDatabase;
