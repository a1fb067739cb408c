// One statement of an isolated plugin on its SQLite file, run where the file is open (sqlite-worker.ts):
// checked first (sqlite-statement.ts), then prepared alone, which runs only the first statement of a text.
import type { Statement } from "bun:sqlite";
import type { SqliteDatabase } from "../../db/database";
import { isTesseraError } from "../../errors/tessera-error";
import type { DbQueryParams, DbQueryResult } from "../wire/protocol";
import { fromWire, toWire } from "../wire/values";
import { queryFailed } from "./query-failed";
import { checkSqliteStatement } from "./sqlite-statement";

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

export const runSqliteQuery = (db: SqliteDatabase, { sql, params, method }: DbQueryParams): DbQueryResult => {
  checkSqliteStatement(sql);
  let statement: Statement | undefined;
  try {
    // Prepared afresh and finalized: a plugin sending ever new texts must not grow the statement cache.
    statement = db.client.prepare(sql).safeIntegers(true);
    return { rows: rowsOf(statement, method, params.map(binding)).map(toWire) };
  } catch (error) {
    if (isTesseraError(error)) throw error;
    throw queryFailed(error instanceof Error ? error.message : String(error), error);
  } finally {
    statement?.finalize();
  }
};
