// Opens a SQLite file (or memory) through bun:sqlite, with the settings a server wants; or, for a look
// that must change nothing, an in-memory copy of the file.
import { constants, Database as SqliteClient } from "bun:sqlite";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { TesseraError } from "../errors/tessera-error";
import type { SqliteDatabase } from "./database";
import { sqliteTables } from "./schema/sqlite";
import { sqliteOrmAsShared } from "./shared-view";

const unreachable = (path: string, cause: unknown) =>
  new TesseraError("ERR_DB_UNREACHABLE", `Cannot open the SQLite database at ${path}`, { path, cause });

const connect = (path: string): SqliteClient => {
  let client: SqliteClient | undefined;
  try {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    client = new SqliteClient(path, { create: true, strict: true });
    return configure(client);
  } catch (cause) {
    client?.close();
    throw unreachable(path, cause);
  }
};

const configure = (client: SqliteClient): SqliteClient => {
  // busy_timeout waits for another process's lock instead of failing (first: switching to WAL may
  // need one); WAL lets readers run while one writer writes; NORMAL is durable in WAL mode but for
  // the last transactions on power loss. A file that isn't a database shows itself here too.
  client.exec("PRAGMA busy_timeout = 5000");
  client.exec("PRAGMA journal_mode = WAL");
  client.exec("PRAGMA foreign_keys = ON");
  client.exec("PRAGMA synchronous = NORMAL");
  return client;
};

const wrap = (client: SqliteClient, path: string): SqliteDatabase => {
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

// Without a -wal file beside it (no server has the database open), `immutable` reads the file alone
// and creates no -wal and -shm files, as even a read-only connection would. With one, a server may be
// writing: a read-only connection takes the locks and reads the WAL, so the copy is consistent.
const openToRead = (path: string): SqliteClient =>
  existsSync(`${path}-wal`)
    ? new SqliteClient(path, { readonly: true, strict: true })
    : new SqliteClient(
        `file:${path.split("/").map(encodeURIComponent).join("/")}?immutable=1`,
        constants.SQLITE_OPEN_READONLY | constants.SQLITE_OPEN_URI,
      );

const copyIntoMemory = (path: string): SqliteClient => {
  if (!existsSync(path) || statSync(path).size === 0) return new SqliteClient(":memory:", { strict: true });
  let file: SqliteClient | undefined;
  try {
    file = openToRead(path);
    const image = file.serialize();
    // The header's read and write versions say WAL (2); an image in memory has no WAL beside it, and
    // SQLite cannot open such an image until they say rollback journal (1).
    if (image[18] === 2) image[18] = 1;
    if (image[19] === 2) image[19] = 1;
    return SqliteClient.deserialize(image, { strict: true });
  } catch (cause) {
    throw unreachable(path, cause);
  } finally {
    file?.close();
  }
};

export const openSqlite = (path: string): SqliteDatabase => wrap(connect(path), path);

/**
 * A private in-memory copy of the database at `path` (an empty one when there is no file yet): it can
 * be migrated and written to while the file, and its folder, stay as they are.
 */
export const copySqlite = (path: string): SqliteDatabase => {
  const client = copyIntoMemory(path);
  try {
    return wrap(configure(client), `${path} (copy)`);
  } catch (cause) {
    client.close();
    throw unreachable(path, cause);
  }
};
