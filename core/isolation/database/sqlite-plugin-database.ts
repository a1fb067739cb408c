// An isolated plugin's own SQLite file beside the core's, opened with the same settings. The core's
// tables are not in it; each statement is checked (sqlite-statement.ts) and prepared alone, which runs
// only the first statement of a text.
import type { Statement } from "bun:sqlite";
import { basename, dirname, extname, join } from "node:path";
import type { SqliteDatabase } from "../../db/database";
import { openSqlite } from "../../db/open-sqlite";
import { isTesseraError } from "../../errors/tessera-error";
import type { Logger } from "../../log/logger";
import type { DbQueryParams, DbQueryResult } from "../wire/protocol";
import { fromWire, toWire } from "../wire/values";
import type { PluginDatabase } from "./plugin-database";
import { pluginIdentifier } from "./plugin-identifier";
import { applyPluginMigrations } from "./plugin-migrations-in";
import { queryFailed } from "./query-failed";
import { checkSqliteStatement } from "./sqlite-statement";

/** `<dir>/<main stem>.plugin-<name>.sqlite`; a database in memory gets one in memory. */
export const pluginSqlitePath = (mainPath: string, plugin: string): string => {
  if (mainPath === ":memory:") return mainPath;
  const stem = basename(mainPath, extname(mainPath));
  return join(dirname(mainPath), `${stem}.plugin-${pluginIdentifier(plugin)}.sqlite`);
};

type Binding = string | number | boolean | null | bigint | Uint8Array;

const binding = (wire: DbQueryParams["params"][number]): Binding => {
  const value = fromWire(wire);
  if (value === null || value instanceof Uint8Array) return value;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return value;
  throw queryFailed("A SQLite parameter is a string, number, boolean, null, bigint or bytes; not a list or an object");
};

// Integers come back exact: as numbers while they fit one, as bigint beyond.
const exact = (value: unknown): unknown =>
  typeof value === "bigint" && value >= Number.MIN_SAFE_INTEGER && value <= Number.MAX_SAFE_INTEGER ? Number(value) : value;

// sqlite-proxy reads rows as arrays (`all`, `values`, and `execute`, which it never sends), the first row alone (`get`).
const rowsOf = (statement: Statement, method: DbQueryParams["method"], params: Binding[]): unknown[] => {
  switch (method) {
    case "run":
      statement.run(...params);
      return [];
    case "get":
      return statement.values(...params)[0]?.map(exact) ?? [];
    default:
      return statement.values(...params).map((row) => row.map(exact));
  }
};

const query = (db: SqliteDatabase, { sql, params, method }: DbQueryParams): DbQueryResult => {
  checkSqliteStatement(sql);
  let statement: Statement | undefined;
  try {
    // Prepared afresh and finalized: a plugin sending ever new texts must not grow the core's statement cache.
    statement = db.client.prepare(sql).safeIntegers(true);
    return { rows: rowsOf(statement, method, params.map(binding)).map(toWire) };
  } catch (error) {
    if (isTesseraError(error)) throw error;
    throw queryFailed(error instanceof Error ? error.message : String(error), error);
  } finally {
    statement?.finalize();
  }
};

export const openSqlitePluginDatabase = async (
  mainPath: string,
  plugin: string,
  migrations: { sqlite: string; postgres: string },
  log: Logger,
): Promise<PluginDatabase> => {
  const db = openSqlite(pluginSqlitePath(mainPath, plugin));
  try {
    await applyPluginMigrations(db, plugin, migrations, log);
  } catch (error) {
    await db.close();
    throw error;
  }
  return {
    dialect: "sqlite",
    location: db.location,
    query: async (params) => query(db, params),
    close: () => db.close(),
  };
};
