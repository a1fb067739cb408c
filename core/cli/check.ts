// `tessera check`: everything `serve` does before listening (config, plugins, database, plugin setup),
// then the table, changing nothing: the plugins are set up on a private copy of the database, which
// also takes the pending migrations, so no file, folder, table or row appears or changes.
import { existsSync } from "node:fs";
import { loadConfig } from "../config/load-config";
import type { Database } from "../db/database";
import { migrate } from "../db/migrate";
import { openPostgres, type PostgresDeadlines } from "../db/open-postgres";
import { copySqlite } from "../db/open-sqlite";
import { type DatabaseTarget, parseDatabaseUrl } from "../db/parse-database-url";
import { migratePlugins, type PluginMigrationSource } from "../db/plugin-migrations";
import { configBaseDir, configuredPlugins } from "../runtime/configured-plugins";
import { createRuntime } from "../runtime/create-runtime";
import { isolationLines, pluginTable } from "./plugin-table";

const pendingLine = (location: string, pending: string[]) =>
  pending.length
    ? `Database: ${location}: ${pending.length} migration(s) pending (\`migrate\` or \`serve\` applies them): ${pending.join(", ")}`
    : `Database: ${location} is up to date`;

/**
 * The database the plugins are set up on, and one line on the configured one. SQLite: a copy of the
 * file (an empty one when there is none yet), migrated in memory, which names what is pending.
 * PostgreSQL cannot be copied cheaply: it is connected to, and the plugins get an empty migrated copy.
 */
const scratchFor = async (
  target: DatabaseTarget,
  deadlines: PostgresDeadlines,
  plugins: readonly PluginMigrationSource[],
): Promise<{ db: Database; line: string }> => {
  let line: string | undefined;
  if (target.dialect === "postgres") {
    const live = await openPostgres(target.url, deadlines);
    await live.close();
    line = `Database: ${live.location} is reachable; the plugins were set up on an empty copy of its schema`;
  } else if (target.path === ":memory:") line = "Database: sqlite::memory: (a new, empty one at every start)";
  else if (!existsSync(target.path))
    line = `Database: sqlite:${target.path} does not exist yet (\`migrate\` or \`serve\` creates it)`;
  const path = target.dialect === "sqlite" ? target.path : ":memory:";
  const db = copySqlite(path);
  try {
    const pending = [...(await migrate(db)), ...(await migratePlugins(db, plugins))];
    return { db, line: line ?? pendingLine(`sqlite:${path}`, pending) };
  } catch (error) {
    await db.close();
    throw error;
  }
};

export const check = async (file?: string): Promise<string> => {
  const cwd = process.cwd();
  const loaded = loadConfig({ file, env: process.env, cwd });
  // Unknown or broken plugins are refused before any database is looked at.
  const plugins = await configuredPlugins(loaded, cwd);
  const { url, connectTimeoutMs, statementTimeoutMs } = loaded.config.database;
  const target = parseDatabaseUrl(url, configBaseDir(loaded, cwd));
  const scratch = await scratchFor(target, { connectTimeoutMs, statementTimeoutMs }, plugins);
  const runtime = await createRuntime({ file, migrate: false, database: scratch.db });
  try {
    const where = runtime.loaded.file ?? "the embedded default (no tessera.jsonc)";
    const isolated = isolationLines(runtime.plugins);
    return `${pluginTable(runtime.plugins, runtime.disabled)}\n\n${isolated ? `${isolated}\n\n` : ""}${scratch.line}\nConfig OK: ${where}`;
  } finally {
    await runtime.stop();
  }
};
