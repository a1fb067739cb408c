// For the one-shot CLI commands: the configured database, migrated, closed afterwards.

import { dirname } from "node:path";
import { loadConfig } from "../config/load-config";
import { migrate } from "../db/migrate";
import { type Database, openDatabase } from "../db/open-database";

export const withDatabase = async <T>(
  file: string | undefined,
  work: (db: Database, applied: string[]) => Promise<T>,
): Promise<T> => {
  const cwd = process.cwd();
  const loaded = loadConfig({ file, env: process.env, cwd });
  const db = await openDatabase(loaded.config.database.url, { cwd: loaded.file ? dirname(loaded.file) : cwd });
  try {
    return await work(db, await migrate(db));
  } finally {
    await db.close();
  }
};
