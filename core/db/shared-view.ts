// Tables and repositories are written once, against drizzle's PostgreSQL types. SQLite's builders
// and query handle answer the same calls at runtime (select/insert/update/delete, where, joins,
// returning, onConflict…, prepare + execute), so the SQLite side is viewed through those types here.
// A cast between the dialects' types belongs here, or beside the one call that differs (SQLite's
// synchronous `all` in prepared.ts). The identity suite runs against both dialects to keep them honest;
// what SQLite lacks (`.for("update")`, `orm.transaction`) is kept behind `transaction.ts`.
import type { BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import type { Orm } from "./database";
import type { SchemaKit, SqliteKit } from "./schema/kits";

export const sqliteKitAsShared = (kit: SqliteKit): SchemaKit => kit as unknown as SchemaKit;

export const sqliteOrmAsShared = (orm: BunSQLiteDatabase): Orm => orm as unknown as Orm;
