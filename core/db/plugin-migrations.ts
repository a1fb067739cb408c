// Plugins' own tables: each plugin's folder of SQL files for the database's dialect, applied in file-name
// order after the core's, plugin by plugin in dependency order, each file once, in its own transaction,
// recorded per plugin with its digest. PostgreSQL holds the core's migration lock throughout.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { TesseraError } from "../errors/tessera-error";
import type { Database, PostgresDatabase, SqliteDatabase } from "./database";
import { innermostMessage, withMigrationLock } from "./migrate";

export interface PluginMigrationSource {
  name: string;
  definition: { migrations?: { sqlite: string; postgres: string } };
}

interface MigrationFile {
  name: string;
  statements: string[];
  digest: string;
}

interface Applied {
  name: string;
  digest: string;
}

export const PLUGIN_MIGRATIONS_TABLE = "__tessera_plugin_migrations";

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS ${PLUGIN_MIGRATIONS_TABLE} (
  plugin TEXT NOT NULL,
  name TEXT NOT NULL,
  digest TEXT NOT NULL,
  applied_at BIGINT NOT NULL,
  PRIMARY KEY (plugin, name)
)`;

// drizzle-kit's separator, so generated migrations work as they are; a file without one is one statement.
const BREAKPOINT = "--> statement-breakpoint";

// The names a statement creates, changes or drops: tables, indexes, views, sequences, and an index's table.
const DDL_NAMES =
  /\b(?:create|alter|drop)\s+(?:unique\s+)?(?:table|index|view|sequence)\s+(?:if\s+(?:not\s+)?exists\s+)?(?:only\s+)?([`"\w.]+)(?:\s+on\s+(?:only\s+)?([`"\w.]+))?|\brename\s+to\s+([`"\w.]+)/gi;

/** Every table and index a plugin touches starts with this: a guardrail against clashing with the core's. */
export const tablePrefix = (plugin: string) => `${plugin.toLowerCase().replace(/[^a-z0-9]/g, "_")}_`;

const failure = (message: string, path: string, cause?: unknown) =>
  new TesseraError("ERR_DB_MIGRATION", message, { path, cause });

const checkNames = (plugin: string, file: string, statement: string) => {
  const prefix = tablePrefix(plugin);
  const code = statement.replace(/--.*$/gm, "");
  for (const match of code.matchAll(DDL_NAMES)) {
    for (const raw of match.slice(1)) {
      if (raw === undefined) continue;
      const name = (raw.split(".").pop() ?? raw).replace(/[`"]/g, "").toLowerCase();
      if (!name.startsWith(prefix)) {
        throw failure(
          `Plugin "${plugin}" migration ${file} touches "${name}"; a plugin's tables and indexes are named ${prefix}…`,
          file,
        );
      }
    }
  }
};

const readFolder = (plugin: string, folder: string): MigrationFile[] => {
  if (!isAbsolute(folder)) {
    throw failure(`Plugin "${plugin}" names its migrations folder "${folder}"; use an absolute path (import.meta.dir)`, folder);
  }
  let files: string[];
  try {
    files = readdirSync(folder).filter((file) => file.endsWith(".sql"));
  } catch (cause) {
    throw failure(`Plugin "${plugin}" migrations folder ${folder} can't be read: ${innermostMessage(cause)}`, folder, cause);
  }
  return files.sort().map((file) => {
    const path = join(folder, file);
    const text = readFileSync(path, "utf8");
    const statements = text
      .split(BREAKPOINT)
      .map((statement) => statement.trim())
      .filter((statement) => statement.replace(/--.*$/gm, "").trim() !== "");
    for (const statement of statements) checkNames(plugin, path, statement);
    return { name: file.replace(/\.sql$/, ""), statements, digest: createHash("sha256").update(text).digest("hex") };
  });
};

// An applied file that changed would leave the database unlike what the plugin's code expects.
const pending = (plugin: string, folder: string, files: MigrationFile[], applied: Applied[]) => {
  const digests = new Map(applied.map((row) => [row.name, row.digest]));
  for (const file of files) {
    const digest = digests.get(file.name);
    if (digest !== undefined && digest !== file.digest) {
      throw failure(
        `Plugin "${plugin}" migration ${file.name} changed after it was applied; add a new migration instead`,
        join(folder, `${file.name}.sql`),
      );
    }
  }
  return files.filter((file) => !digests.has(file.name));
};

const migrateSqlite = (db: SqliteDatabase, plugin: string, folder: string, files: MigrationFile[]): string[] => {
  db.client.run(CREATE_TABLE);
  const applied = db.client
    .query<Applied, [string]>(`SELECT name, digest FROM ${PLUGIN_MIGRATIONS_TABLE} WHERE plugin = ?`)
    .all(plugin);
  const due = pending(plugin, folder, files, applied);
  for (const file of due) {
    db.client.transaction(() => {
      for (const statement of file.statements) db.client.run(statement);
      db.client.run(`INSERT INTO ${PLUGIN_MIGRATIONS_TABLE} (plugin, name, digest, applied_at) VALUES (?, ?, ?, ?)`, [
        plugin,
        file.name,
        file.digest,
        Date.now(),
      ]);
    })();
  }
  return due.map((file) => file.name);
};

const migratePostgres = async (db: PostgresDatabase, plugin: string, folder: string, files: MigrationFile[]) => {
  await db.client.unsafe(CREATE_TABLE);
  const applied: Applied[] = await db.client`SELECT name, digest FROM __tessera_plugin_migrations WHERE plugin = ${plugin}`;
  const due = pending(plugin, folder, files, applied);
  for (const file of due) {
    await db.client.begin(async (tx) => {
      for (const statement of file.statements) await tx.unsafe(statement);
      await tx`INSERT INTO __tessera_plugin_migrations (plugin, name, digest, applied_at) VALUES (${plugin}, ${file.name}, ${file.digest}, ${Date.now()})`;
    });
  }
  return due.map((file) => file.name);
};

/**
 * Applies the plugins' pending migrations, in the order given (dependencies first); returns what it
 * applied as `plugin/name`. Plugins without migrations are skipped.
 */
export const migratePlugins = async (db: Database, plugins: readonly PluginMigrationSource[]): Promise<string[]> => {
  const owned = plugins.flatMap((plugin) => {
    const { migrations } = plugin.definition;
    if (!migrations) return [];
    const folder = migrations[db.dialect];
    return [{ name: plugin.name, folder, files: readFolder(plugin.name, folder) }];
  });
  if (owned.length === 0) return [];
  const applyAll = async () => {
    const applied: string[] = [];
    for (const { name, folder, files } of owned) {
      try {
        const names =
          db.dialect === "sqlite" ? migrateSqlite(db, name, folder, files) : await migratePostgres(db, name, folder, files);
        applied.push(...names.map((file) => `${name}/${file}`));
      } catch (cause) {
        if (cause instanceof TesseraError) throw cause;
        throw failure(`Migrating plugin "${name}" on ${db.dialect} failed: ${innermostMessage(cause)}`, folder, cause);
      }
    }
    return applied;
  };
  return db.dialect === "postgres" ? withMigrationLock(db, applyAll) : applyAll();
};
