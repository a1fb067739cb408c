// For the one-shot CLI commands: the configured database with the core's and the enabled plugins'
// migrations applied (unless told not to), closed afterwards. No plugin is set up.
import type { CoreConfig } from "../config/core-schema";
import { loadConfig } from "../config/load-config";
import { migrate } from "../db/migrate";
import { type Database, openDatabase } from "../db/open-database";
import { migratePlugins } from "../db/plugin-migrations";
import { configBaseDir, configuredPlugins } from "../runtime/configured-plugins";

export const withDatabase = async <T>(
  file: string | undefined,
  work: (db: Database, applied: string[], config: CoreConfig) => Promise<T>,
  { migrations = true }: { migrations?: boolean } = {},
): Promise<T> => {
  const cwd = process.cwd();
  const loaded = loadConfig({ file, env: process.env, cwd });
  const plugins = await configuredPlugins(loaded, cwd);
  const { url, connectTimeoutMs, statementTimeoutMs } = loaded.config.database;
  const db = await openDatabase(url, { cwd: configBaseDir(loaded, cwd), deadlines: { connectTimeoutMs, statementTimeoutMs } });
  try {
    const applied = migrations ? await migrate(db) : [];
    if (migrations) applied.push(...(await migratePlugins(db, plugins)));
    return await work(db, applied, loaded.config);
  } finally {
    await db.close();
  }
};
