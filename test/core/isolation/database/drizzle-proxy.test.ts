// drizzle's proxy drivers, as an isolated plugin's child builds them, wired straight to `query` through
// JSON and the wire's values: rows come back in the shapes each driver expects, bytes and big integers intact.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SQL } from "bun";
import { eq, sql } from "drizzle-orm";
import { bigint, customType, pgTable, text as pgText, serial, timestamp } from "drizzle-orm/pg-core";
import { drizzle as pgProxy } from "drizzle-orm/pg-proxy";
import { blob, integer, sqliteTable, text as sqliteText } from "drizzle-orm/sqlite-core";
import { drizzle as sqliteProxy } from "drizzle-orm/sqlite-proxy";
import { proxyQuery } from "../../../../core/isolation/child/database";
import { openPluginDatabase, type PluginDatabase } from "../../../../core/isolation/database/plugin-database";
import { pluginRoleName } from "../../../../core/isolation/database/postgres-role";
import type { DbQueryParams, WireValue } from "../../../../core/isolation/wire/protocol";
import { fromWire, toWire } from "../../../../core/isolation/wire/values";
import { createLogger } from "../../../../core/log/json-logger";
import { createScratchDatabase, POSTGRES_ADMIN_URL, postgresTestUrl } from "../../../support/postgres";
import { makeTempDir } from "../../../support/test-runtime";

const postgres = await postgresTestUrl();
const dir = makeTempDir("plugin-drizzle-");
const log = createLogger({ write: () => {} });
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const migrationsWith = (sqlite: string, postgres: string) => {
  const folder = join(dir, crypto.randomUUID());
  mkdirSync(join(folder, "sqlite"), { recursive: true });
  mkdirSync(join(folder, "postgres"), { recursive: true });
  writeFileSync(join(folder, "sqlite", "0001_things.sql"), sqlite);
  writeFileSync(join(folder, "postgres", "0001_things.sql"), postgres);
  return { sqlite: join(folder, "sqlite"), postgres: join(folder, "postgres") };
};

/** The child's proxy callback, the whole call crossing as JSON. */
const viaWire = (db: PluginDatabase) =>
  proxyQuery(async (call) => JSON.parse(JSON.stringify(await db.query(JSON.parse(JSON.stringify(call))))));

const BIG = 9_007_199_254_740_993n;
const BYTES = new Uint8Array([0, 1, 2, 253, 254, 255]);

describe("drizzle's sqlite-proxy on an isolated plugin's SQLite database", () => {
  const things = sqliteTable("probe_things", {
    id: integer("id").primaryKey({ autoIncrement: true }),
    text: sqliteText("text").notNull(),
    data: blob("data", { mode: "buffer" }),
    big: blob("big", { mode: "bigint" }),
  });

  test("inserts, selects, updates and deletes with returning, a bytes column and a bigint", async () => {
    const migrations = migrationsWith(
      "CREATE TABLE probe_things (id INTEGER PRIMARY KEY AUTOINCREMENT, text TEXT NOT NULL, data BLOB, big BLOB)",
      "",
    );
    const db = await openPluginDatabase({ url: "sqlite::memory:", cwd: dir, plugin: "probe", migrations, log });
    cleanups.push(() => db.close());
    const orm = sqliteProxy(viaWire(db));

    const [inserted] = await orm
      .insert(things)
      .values({ text: "one", data: Buffer.from(BYTES), big: BIG })
      .returning();
    expect(inserted).toEqual({ id: 1, text: "one", data: Buffer.from(BYTES), big: BIG });
    expect(await orm.select().from(things)).toEqual([{ id: 1, text: "one", data: Buffer.from(BYTES), big: BIG }]);
    expect(await orm.select({ text: things.text }).from(things).where(eq(things.id, 1)).get()).toEqual({ text: "one" });
    expect(await orm.select({ text: things.text }).from(things).where(eq(things.id, 99)).get()).toBeUndefined();

    const [updated] = await orm.update(things).set({ text: "two" }).where(eq(things.id, 1)).returning({ text: things.text });
    expect(updated).toEqual({ text: "two" });
    expect(await orm.values(sql`SELECT 4611686018427387904, 7`)).toEqual([[4_611_686_018_427_387_904n, 7]]);

    expect(await orm.delete(things).where(eq(things.id, 1)).returning({ id: things.id })).toEqual([{ id: 1 }]);
    expect(await orm.select().from(things)).toEqual([]);
    await orm.run(sql`INSERT INTO probe_things (text) VALUES ('ran')`);
    expect(await orm.select({ text: things.text }).from(things)).toEqual([{ text: "ran" }]);
  });
});

describe.skipIf(!postgres)("drizzle's pg-proxy on an isolated plugin's PostgreSQL schema", () => {
  const bytea = customType<{ data: Uint8Array }>({ dataType: () => "bytea" });

  test("inserts, selects, updates and deletes with returning, a bytes column and a bigint", async () => {
    const plugin = `probe${crypto.randomUUID().slice(0, 8)}`;
    const scratch = await createScratchDatabase();
    // Roles belong to the whole server: the role goes once the database holding its objects is gone.
    cleanups.push(async () => {
      const admin = new SQL(POSTGRES_ADMIN_URL, { max: 1 });
      await admin.unsafe(`DROP ROLE IF EXISTS "${pluginRoleName(plugin, new URL(scratch.url).pathname.slice(1))}"`);
      await admin.close();
    });
    cleanups.push(scratch.drop);
    // The core's own table the role's password is kept in.
    const core = new SQL(scratch.url, { max: 1 });
    await core.unsafe("CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at BIGINT)");
    await core.close();
    const migrations = migrationsWith(
      "",
      `CREATE TABLE ${plugin}_things (id SERIAL PRIMARY KEY, text TEXT NOT NULL, data BYTEA, big BIGINT, at TIMESTAMP DEFAULT now(), at_zoned TIMESTAMPTZ DEFAULT now())`,
    );
    const db = await openPluginDatabase({ url: scratch.url, cwd: dir, plugin, migrations, log });
    cleanups.push(() => db.close());
    const orm = pgProxy(viaWire(db));
    // A plugin's tables carry its name; the columns are what matters here.
    const own = pgTable(`${plugin}_things`, {
      id: serial("id").primaryKey(),
      text: pgText("text").notNull(),
      data: bytea("data"),
      big: bigint("big", { mode: "bigint" }),
      at: timestamp("at", { mode: "date" }),
      atZoned: timestamp("at_zoned", { mode: "date", withTimezone: true }),
    });

    const before = Date.now() - 60_000;
    const [inserted] = await orm.insert(own).values({ text: "one", data: BYTES, big: BIG }).returning();
    expect(inserted).toMatchObject({ id: 1, text: "one", data: BYTES, big: BIG });
    for (const at of [inserted?.at, inserted?.atZoned]) expect(at?.getTime()).toBeGreaterThan(before);
    const [selected] = await orm.select().from(own);
    expect(selected).toEqual({
      id: 1,
      text: "one",
      data: BYTES,
      big: BIG,
      at: inserted?.at ?? null,
      atZoned: inserted?.atZoned ?? null,
    });

    const [updated] = await orm.update(own).set({ text: "two" }).where(eq(own.id, 1)).returning({ text: own.text });
    expect(updated).toEqual({ text: "two" });
    expect(await orm.execute(sql`SELECT text FROM ${own}`)).toEqual([{ text: "two" }]);

    expect(await orm.delete(own).where(eq(own.id, 1)).returning({ id: own.id })).toEqual([{ id: 1 }]);
    expect(await orm.select().from(own)).toEqual([]);
  });
});
