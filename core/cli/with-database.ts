// For the one-shot CLI commands: the configured database with the core's and the enabled plugins'
// migrations applied, closed afterwards. No plugin is set up.
import { loadConfig } from "../config/load-config";
import { migrate } from "../db/migrate";
import { type Database, openDatabase } from "../db/open-database";
import { migratePlugins } from "../db/plugin-migrations";
import { configBaseDir, configuredPlugins } from "../runtime/configured-plugins";

export const withDatabase = async <T>(
  file: string | undefined,
  work: (db: Database, applied: string[]) => Promise<T>,
): Promise<T> => {
  const cwd = process.cwd();
  const loaded = loadConfig({ file, env: process.env, cwd });
  const plugins = await configuredPlugins(loaded, cwd);
  const { url, connectTimeoutMs, statementTimeoutMs } = loaded.config.database;
  const db = await openDatabase(url, { cwd: configBaseDir(loaded, cwd), deadlines: { connectTimeoutMs, statementTimeoutMs } });
  try {
    const applied = await migrate(db);
    applied.push(...(await migratePlugins(db, plugins)));
    return await work(db, applied);
  } finally {
    await db.close();
  }
};
