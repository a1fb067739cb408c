import { describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { migrate } from "../../../core/db/migrate";
import { openDatabase } from "../../../core/db/open-database";
import { testDialects } from "../../support/databases";
import { createScratchDatabase } from "../../support/postgres";

const migrationNames = (dialect: string) =>
  readdirSync(join(import.meta.dir, "../../../core/db/migrations", dialect))
    .filter((file) => file.endsWith(".sql"))
    .map((file) => file.replace(/\.sql$/, ""))
    .sort();

const dialects = await testDialects();

for (const { dialect, fresh } of dialects) {
  describe(`migrate (${dialect})`, () => {
    test("applies every migration once and reports their names", async () => {
      const db = await fresh();
      try {
        expect(await migrate(db)).toEqual(migrationNames(dialect));
        expect(await migrate(db)).toEqual([]);
      } finally {
        await db.close();
      }
    });

    test("creates the tables the repositories use", async () => {
      const db = await fresh();
      try {
        await migrate(db);
        expect(await db.orm.select().from(db.tables.users)).toEqual([]);
      } finally {
        await db.close();
      }
    });

    test("reports a missing migrations folder as ERR_DB_MIGRATION", async () => {
      const db = await fresh();
      try {
        await expect(migrate(db, { migrationsFolder: "/nonexistent/migrations" })).rejects.toMatchObject({
          code: "ERR_DB_MIGRATION",
        });
      } finally {
        await db.close();
      }
    });
  });
}

const postgres = dialects.find((entry) => entry.dialect === "postgres");

describe.skipIf(!postgres)("migrate (postgres, concurrent instances)", () => {
  test("two instances migrating at once apply each migration exactly once", async () => {
    const scratch = await createScratchDatabase();
    const [a, b] = await Promise.all([openDatabase(scratch.url), openDatabase(scratch.url)]);
    try {
      const [fromA, fromB] = await Promise.all([migrate(a), migrate(b)]);
      expect([...fromA, ...fromB].sort()).toEqual(migrationNames("postgres"));
      expect(await migrate(a)).toEqual([]);
    } finally {
      await a.close();
      await b.close();
      await scratch.drop();
    }
  });
});
