// An isolated plugin's own SQLite file beside the core's, opened with the same settings. The core's
// tables are not in it; each statement is checked and prepared alone (sqlite-query.ts), on a thread of
// the file's own with a deadline (sqlite-runner.ts), so no statement holds up the core's event loop.
import { basename, dirname, extname, join } from "node:path";
import type { Logger } from "../../log/logger";
import type { PluginDatabase } from "./plugin-database";
import { pluginIdentifier } from "./plugin-identifier";
import { SqliteRunner } from "./sqlite-runner";

/** `<dir>/<main stem>.plugin-<name>.sqlite`; a database in memory gets one in memory. */
export const pluginSqlitePath = (mainPath: string, plugin: string): string => {
  if (mainPath === ":memory:") return mainPath;
  const stem = basename(mainPath, extname(mainPath));
  return join(dirname(mainPath), `${stem}.plugin-${pluginIdentifier(plugin)}.sqlite`);
};

/**
 * Opens the file and applies the plugin's migrations on its thread. A database in memory lives in that
 * thread: after a statement past its deadline, the fresh thread starts over with an empty one, migrated.
 */
export const openSqlitePluginDatabase = async (
  mainPath: string,
  plugin: string,
  migrations: { sqlite: string; postgres: string },
  log: Logger,
  statementTimeoutMs: number,
): Promise<PluginDatabase> => {
  const runner = new SqliteRunner(
    { kind: "open", path: pluginSqlitePath(mainPath, plugin), plugin, migrations },
    statementTimeoutMs,
    log,
  );
  const { location } = await runner.start();
  return {
    dialect: "sqlite",
    location,
    query: (params) => runner.query(params),
    close: () => runner.close(),
  };
};
