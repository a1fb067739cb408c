// One way to run several statements atomically on either dialect. drizzle's SQLite transactions
// are synchronous (bun:sqlite), so an async body would commit before its awaits ran; here SQLite
// gets BEGIN IMMEDIATE … COMMIT around the async body, one transaction at a time per connection.
import type { Database as SqliteClient } from "bun:sqlite";
import type { Database, Orm } from "./database";

// The tail of each SQLite connection's queue of transactions.
const sqliteQueues = new WeakMap<SqliteClient, Promise<unknown>>();

const inSqliteTransaction = async <T>(client: SqliteClient, orm: Orm, body: (tx: Orm) => Promise<T>): Promise<T> => {
  const previous = sqliteQueues.get(client) ?? Promise.resolve();
  const run = async () => {
    // IMMEDIATE takes the write lock up front, so another process can't slip in between our reads and writes.
    client.exec("BEGIN IMMEDIATE");
    try {
      const result = await body(orm);
      client.exec("COMMIT");
      return result;
    } catch (error) {
      // SQLite has already rolled back after some errors (SQLITE_FULL, …); a second ROLLBACK would hide this error.
      if (client.inTransaction) client.exec("ROLLBACK");
      throw error;
    }
  };
  const current = previous.then(run);
  // The caller gets this transaction's failure; the queue only needs to know it is over.
  sqliteQueues.set(
    client,
    current.catch(() => undefined),
  );
  return current;
};

/**
 * Runs `body` in a transaction; a throw rolls it back. Don't nest calls. On SQLite, statements
 * issued outside `transaction` while a body awaits share the one connection and so join it.
 * On PostgreSQL the isolation is READ COMMITTED: lock the rows a read-check-write rule depends on.
 */
export const transaction = <T>(db: Database, body: (tx: Orm) => Promise<T>): Promise<T> =>
  db.dialect === "sqlite" ? inSqliteTransaction(db.client, db.orm, body) : db.orm.transaction((tx) => body(tx));
