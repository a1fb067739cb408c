// An isolated plugin's migrations go into its own database with the machinery in-process plugins use:
// the same `<plugin>_` names, digests and record table, which lives in that database too.
import type { Database } from "../../db/database";
import { migratePlugins } from "../../db/plugin-migrations";
import type { Logger } from "../../log/logger";

export const applyPluginMigrations = async (
  db: Database,
  plugin: string,
  migrations: { sqlite: string; postgres: string },
  log: Logger,
): Promise<void> => {
  const applied = await migratePlugins(db, [{ name: plugin, definition: { migrations } }]);
  if (applied.length > 0) log.info("applied the isolated plugin's migrations", { plugin, migrations: applied });
};
