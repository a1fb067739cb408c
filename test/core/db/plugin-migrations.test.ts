// Plugins' own migrations, on both dialects: applied once after the core's, recorded per plugin, in
// dependency order, and refused when they reach outside the plugin's tables or change after the fact.
import { afterAll, describe, expect, test } from "bun:test";
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Database } from "../../../core/db/database";
import { migratePlugins } from "../../../core/db/plugin-migrations";
import { createRuntime } from "../../../core/runtime/create-runtime";
import { testDatabaseUrls, testDialects } from "../../support/databases";
import { makeTempDir } from "../../support/test-runtime";

const fixtures = join(import.meta.dir, "..", "..", "fixtures", "plugins");
const dir = makeTempDir("plugin-migrations-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rows = async (db: Database, query: string): Promise<unknown[]> =>
  db.dialect === "sqlite" ? db.client.query(query).all() : [...(await db.client.unsafe(query))];

/** A plugin whose migrations folder (both dialects) holds `files`. */
const pluginWith = (name: string, files: Record<string, string>) => {
  const folder = join(dir, `${name}-${crypto.randomUUID()}`);
  mkdirSync(folder);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(folder, file), text);
  return { name, definition: { migrations: { sqlite: folder, postgres: folder } } };
};

for (const { dialect, migrated } of await testDialects()) {
  describe(`plugin migrations (${dialect})`, () => {
    test("applies a plugin's migrations once, in file order, and records them per plugin", async () => {
      const db = await migrated();
      try {
        const ledger = pluginWith("ledger", {
          "0001_memo.sql": "ALTER TABLE ledger_entries ADD COLUMN memo TEXT",
          "0000_entries.sql": "CREATE TABLE ledger_entries (amount INTEGER NOT NULL)",
        });
        expect(await migratePlugins(db, [ledger])).toEqual(["ledger/0000_entries", "ledger/0001_memo"]);
        expect(await migratePlugins(db, [ledger])).toEqual([]);
        const recorded = await rows(db, "SELECT plugin, name FROM __tessera_plugin_migrations ORDER BY name");
        expect(recorded).toEqual([
          { plugin: "ledger", name: "0000_entries" },
          { plugin: "ledger", name: "0001_memo" },
        ]);
        expect(await rows(db, "SELECT amount, memo FROM ledger_entries")).toEqual([]);
      } finally {
        await db.close();
      }
    });

    test("refuses a migration that creates a table outside the plugin's prefix, applying nothing", async () => {
      const db = await migrated();
      try {
        const sneaky = pluginWith("ledger", {
          "0000_users.sql": 'CREATE TABLE IF NOT EXISTS "public"."user_notes" (id INTEGER)',
        });
        await expect(migratePlugins(db, [sneaky])).rejects.toMatchObject({
          code: "ERR_DB_MIGRATION",
          message: expect.stringContaining('touches "user_notes"; a plugin\'s tables and indexes are named ledger_…'),
        });
        const onCore = pluginWith("ledger", { "0000_index.sql": "CREATE INDEX ledger_by_email ON users (email)" });
        await expect(migratePlugins(db, [onCore])).rejects.toMatchObject({ message: expect.stringContaining('touches "users"') });
        // Every file is checked before any runs: a good first file is not applied either.
        const later = pluginWith("ledger", {
          "0000_entries.sql": "CREATE TABLE ledger_entries (amount INTEGER)",
          "0001_sessions.sql": "DROP TABLE sessions",
        });
        await expect(migratePlugins(db, [later])).rejects.toMatchObject({
          message: expect.stringContaining('touches "sessions"'),
        });
        expect(await migratePlugins(db, [])).toEqual([]);
        const ledger = pluginWith("ledger", { "0000_entries.sql": "CREATE TABLE ledger_entries (amount INTEGER)" });
        expect(await migratePlugins(db, [ledger])).toEqual(["ledger/0000_entries"]);
      } finally {
        await db.close();
      }
    });

    test("refuses a migration changed after it was applied", async () => {
      const db = await migrated();
      try {
        const ledger = pluginWith("ledger", { "0000_entries.sql": "CREATE TABLE ledger_entries (amount INTEGER)" });
        await migratePlugins(db, [ledger]);
        writeFileSync(
          join(ledger.definition.migrations.sqlite, "0000_entries.sql"),
          "CREATE TABLE ledger_entries (cents INTEGER)",
        );
        await expect(migratePlugins(db, [ledger])).rejects.toMatchObject({
          code: "ERR_DB_MIGRATION",
          message: expect.stringContaining("0000_entries changed after it was applied"),
        });
      } finally {
        await db.close();
      }
    });

    test("a failing migration is rolled back and not recorded", async () => {
      const db = await migrated();
      try {
        const broken = pluginWith("ledger", {
          "0000_entries.sql":
            "CREATE TABLE ledger_entries (amount INTEGER)\n--> statement-breakpoint\nALTER TABLE ledger_entries ADD COLUMN nonsense NOT_A_TYPE(",
        });
        await expect(migratePlugins(db, [broken])).rejects.toMatchObject({ code: "ERR_DB_MIGRATION" });
        expect(await rows(db, "SELECT plugin FROM __tessera_plugin_migrations")).toEqual([]);
        const table =
          dialect === "sqlite"
            ? "SELECT name FROM sqlite_master WHERE name = 'ledger_entries'"
            : "SELECT to_regclass('ledger_entries') AS name";
        expect((await rows(db, table)).filter((row) => (row as { name: unknown }).name !== null)).toEqual([]);
      } finally {
        await db.close();
      }
    });
  });
}

for (const { dialect, create } of await testDatabaseUrls()) {
  describe(`plugin migrations at start (${dialect})`, () => {
    test("applies plugins' migrations after the core's in dependency order, whatever the config's order", async () => {
      const scratch = await create();
      const home = join(dir, `runtime-${dialect}`);
      mkdirSync(home);
      // ledger-audit's view reads ledger's table: listed first, it must still migrate second.
      cpSync(join(fixtures, "ledger-audit"), join(home, "ledger-audit"), { recursive: true });
      cpSync(join(fixtures, "ledger"), join(home, "ledger"), { recursive: true });
      const file = join(home, "tessera.jsonc");
      writeFileSync(
        file,
        JSON.stringify({
          // The second start must find the first one's records: SQLite in a file, not in memory.
          database: { url: dialect === "sqlite" ? "sqlite:./tessera.db" : scratch.url },
          plugins: {
            "./ledger-audit/index.ts": { enabled: true, isolation: "none" },
            "./ledger/index.ts": { enabled: true, isolation: "none" },
          },
        }),
      );
      try {
        const runtime = await createRuntime({ file, env: {}, cwd: home });
        try {
          const plugins = runtime.migrations.filter((name) => name.includes("/"));
          expect(plugins).toEqual(["ledger/0000_entries", "ledger/0001_booked_at", "ledger-audit/0000_totals"]);
          expect(runtime.migrations.indexOf("ledger/0000_entries")).toBeGreaterThan(0);
          expect(await rows(runtime.db, "SELECT total FROM ledger_audit_totals")).toEqual([{ total: null }]);
        } finally {
          await runtime.stop();
        }
        const again = await createRuntime({ file, env: {}, cwd: home });
        try {
          expect(again.migrations.filter((name) => name.includes("/"))).toEqual([]);
        } finally {
          await again.stop();
        }
      } finally {
        await scratch.drop();
      }
    });
  });
}
