// The thread an isolated plugin's SQLite file is open on (sqlite-thread.ts starts it): bun:sqlite
// cannot be interrupted, so a statement that never ends holds this thread, never the core's.
import type { SqliteDatabase } from "../../db/database";
import { openSqlite } from "../../db/open-sqlite";
import { migratePlugins } from "../../db/plugin-migrations";
import { runSqliteQuery } from "./sqlite-query";
import { type SqliteReply, type SqliteRequest, sendable } from "./sqlite-worker-protocol";

declare const self: Worker;

let db: SqliteDatabase | undefined;

const reply = (message: SqliteReply) => self.postMessage(message);

const open = async ({ path, plugin, migrations }: Extract<SqliteRequest, { kind: "open" }>) => {
  const opened = openSqlite(path);
  try {
    const applied = await migratePlugins(opened, [{ name: plugin, definition: { migrations } }]);
    db = opened;
    return { location: opened.location, applied };
  } catch (error) {
    await opened.close();
    throw error;
  }
};

const handle = async (request: SqliteRequest): Promise<void> => {
  switch (request.kind) {
    case "open":
      reply({ ok: true, opened: await open(request) });
      return;
    case "query":
      if (db === undefined) throw new Error("a query came before the database was opened");
      reply({ ok: true, result: runSqliteQuery(db, request.params) });
      return;
    case "close":
      await db?.close();
      process.exit(0);
  }
};

// Installed before anything is awaited, so the first message is not missed.
self.onmessage = (event: MessageEvent<SqliteRequest>) => {
  handle(event.data).catch((error: unknown) => reply({ ok: false, error: sendable(error) }));
};
