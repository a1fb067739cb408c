// The dialect-specific half of the schema: the column, table and index builders each dialect
// uses for Tessera's few column kinds. `tables.ts` is written once against these.
import {
  bigint as pgBigint,
  bigserial as pgBigserial,
  boolean as pgBoolean,
  index as pgIndex,
  integer as pgInteger,
  primaryKey as pgPrimaryKey,
  pgTable,
  text as pgText,
  uniqueIndex as pgUniqueIndex,
} from "drizzle-orm/pg-core";
import {
  index as sqliteIndex,
  integer as sqliteInteger,
  primaryKey as sqlitePrimaryKey,
  sqliteTable,
  text as sqliteText,
  uniqueIndex as sqliteUniqueIndex,
} from "drizzle-orm/sqlite-core";

export const pgKit = {
  table: pgTable,
  /** Random ids, JSON documents and other strings. */
  text: (name: string) => pgText(name),
  int: (name: string) => pgInteger(name),
  /** Epoch milliseconds (and other counts that outgrow 32 bits). */
  epochMs: (name: string) => pgBigint(name, { mode: "number" }),
  bool: (name: string) => pgBoolean(name),
  /** An auto-incrementing integer primary key. */
  serial: (name: string) => pgBigserial(name, { mode: "number" }).primaryKey(),
  index: pgIndex,
  uniqueIndex: pgUniqueIndex,
  primaryKey: pgPrimaryKey,
};

/** The builders `tables.ts` is typed against: PostgreSQL's (see `shared-view.ts` for SQLite's side). */
export type SchemaKit = typeof pgKit;

export const sqliteKit = {
  table: sqliteTable,
  text: (name: string) => sqliteText(name),
  int: (name: string) => sqliteInteger(name, { mode: "number" }),
  epochMs: (name: string) => sqliteInteger(name, { mode: "number" }),
  bool: (name: string) => sqliteInteger(name, { mode: "boolean" }),
  serial: (name: string) => sqliteInteger(name, { mode: "number" }).primaryKey({ autoIncrement: true }),
  index: sqliteIndex,
  uniqueIndex: sqliteUniqueIndex,
  primaryKey: sqlitePrimaryKey,
};

export type SqliteKit = typeof sqliteKit;
