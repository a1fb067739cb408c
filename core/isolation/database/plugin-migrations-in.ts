// An isolated plugin's migrations go into its own database with the machinery in-process plugins use:
// the same `<plugin>_` names, digests and record table, which lives in that database too.
import type { Database } from "../../db/database";
import { migratePlugins } from "../../db/plugin-migrations";
import type { Logger } from "../../log/logger";

/** Logs what `migratePlugins` applied, wherever it ran (on SQLite, on the database's own thread). */
export const logAppliedMigrations = (log: Logger, plugin: string, applied: readonly string[]): void => {
  if (applied.length > 0) log.info("applied the isolated plugin's migrations", { plugin, migrations: applied });
};

export const applyPluginMigrations = async (
  db: Database,
  plugin: string,
  migrations: { sqlite: string; postgres: string },
  log: Logger,
): Promise<void> => {
  logAppliedMigrations(log, plugin, await migratePlugins(db, [{ name: plugin, definition: { migrations } }]));
};
