// Opens a SQLite file (or memory) through bun:sqlite, with the settings a server wants.
import { Database as SqliteClient } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { TesseraError } from "../errors/tessera-error";
import type { SqliteDatabase } from "./database";
import { sqliteTables } from "./schema/sqlite";
import { sqliteOrmAsShared } from "./shared-view";

const connect = (path: string): SqliteClient => {
  let client: SqliteClient | undefined;
  try {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    client = new SqliteClient(path, { create: true, strict: true });
    // busy_timeout waits for another process's lock instead of failing (first: switching to WAL may
    // need one); WAL lets readers run while one writer writes; NORMAL is durable in WAL mode but for
    // the last transactions on power loss. A file that isn't a database shows itself here too.
    client.exec("PRAGMA busy_timeout = 5000");
    client.exec("PRAGMA journal_mode = WAL");
    client.exec("PRAGMA foreign_keys = ON");
    client.exec("PRAGMA synchronous = NORMAL");
    return client;
  } catch (cause) {
    client?.close();
    throw new TesseraError("ERR_DB_UNREACHABLE", `Cannot open the SQLite database at ${path}`, { path, cause });
  }
};

export const openSqlite = (path: string): SqliteDatabase => {
  const client = connect(path);

  let closed = false;
  return {
    dialect: "sqlite",
    client,
    orm: sqliteOrmAsShared(drizzle({ client })),
    tables: sqliteTables,
    location: `sqlite:${path}`,
    async ping(onError) {
      try {
        client.query("SELECT 1").get();
        return true;
      } catch (error) {
        onError?.(error);
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      client.close();
    },
  };
};
