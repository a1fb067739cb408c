// An isolated plugin's own PostgreSQL role and schema: the server's privileges keep its statements from
// the core's tables, whatever they say, and its migrations land in its own schema, owned by its role.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SQL } from "bun";
import { openPluginDatabase, type PluginDatabase } from "../../../../core/isolation/database/plugin-database";
import { pluginRoleName } from "../../../../core/isolation/database/postgres-role";
import { createLogger } from "../../../../core/log/json-logger";
import { createScratchDatabase, POSTGRES_ADMIN_URL, postgresTestUrl } from "../../../support/postgres";
import { makeTempDir } from "../../../support/test-runtime";

const postgres = await postgresTestUrl();

const dir = makeTempDir("plugin-postgres-");

const roles: string[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  // Roles belong to the whole server: they go once the databases holding their objects are gone.
  if (postgres)
    await withAdmin(POSTGRES_ADMIN_URL, async (admin) => {
      for (const role of roles) await admin.unsafe(`DROP ROLE IF EXISTS "${role}"`);
    });
  rmSync(dir, { recursive: true, force: true });
});

const withAdmin = async (url: string, work: (admin: SQL) => Promise<unknown>) => {
  const admin = new SQL(url, { max: 1 });
  try {
    await work(admin);
  } finally {
    await admin.close();
  }
};

/** A plugin's migrations folder creating `<plugin>_items`. */
const migrationsOf = (plugin: string) => {
  const folder = join(dir, plugin);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, "0001_items.sql"), `CREATE TABLE ${plugin}_items (id SERIAL PRIMARY KEY, text TEXT NOT NULL)`);
  return { sqlite: folder, postgres: folder };
};

/** A scratch database holding core-like `users` (with a row) and `kv` tables, and a plugin name no other run uses. */
const setting = async () => {
  const scratch = await createScratchDatabase();
  cleanups.push(scratch.drop);
  await withAdmin(scratch.url, (admin) =>
    admin.unsafe(
      "CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT); INSERT INTO users VALUES ('u1', 'root@example.com');" +
        "CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at BIGINT)",
    ),
  );
  const plugin = `probe${crypto.randomUUID().slice(0, 8)}`;
  const role = pluginRoleName(plugin, new URL(scratch.url).pathname.slice(1));
  roles.push(role);
  return { url: scratch.url, plugin, role, table: `${plugin}_items` };
};

const open = async (
  url: string,
  plugin: string,
  logs: string[] = [],
  deadlines?: { connectTimeoutMs: number; statementTimeoutMs: number },
) => {
  const log = createLogger({ level: "debug", write: (line) => logs.push(line) });
  const db = await openPluginDatabase({ url, cwd: dir, plugin, migrations: migrationsOf(plugin), log, deadlines });
  cleanups.push(() => db.close());
  return db;
};

const rows = async (db: PluginDatabase, sql: string, params: (string | number)[] = []) =>
  (await db.query({ sql, params, method: "all" })).rows;

describe.skipIf(!postgres)("an isolated plugin's PostgreSQL role", () => {
  test("is one per database: a second deployment on the same server neither shares it nor resets its password", async () => {
    const first = await setting();
    const second = await setting();
    const password = async (role: string) => {
      let found: unknown;
      await withAdmin(first.url, async (admin) => {
        [found] = await admin`SELECT rolpassword FROM pg_authid WHERE rolname = ${role}`;
      });
      return found;
    };
    await open(first.url, first.plugin);
    const before = await password(first.role);
    // The same plugin name in the other database.
    const other = pluginRoleName(first.plugin, new URL(second.url).pathname.slice(1));
    roles.push(other);
    expect(other).not.toBe(first.role);
    await open(second.url, first.plugin);
    expect(await password(first.role)).toEqual(before);
    expect(await password(other)).toBeTruthy();
  });

  test("can't read the core's tables, qualified or not", async () => {
    const { url, plugin } = await setting();
    const db = await open(url, plugin);
    for (const sql of ["SELECT * FROM public.users", "SELECT * FROM users", "DELETE FROM users"]) {
      await expect(rows(db, sql)).rejects.toMatchObject({
        code: "ERR_DB_QUERY",
        status: 500,
        message: "permission denied for table users",
      });
    }
  });

  test("SET ROLE is refused and RESET ROLE gets it nothing", async () => {
    const { url, plugin, role } = await setting();
    const db = await open(url, plugin);
    await expect(rows(db, "SET ROLE postgres")).rejects.toMatchObject({
      code: "ERR_DB_QUERY",
      message: 'permission denied to set role "postgres"',
    });
    await rows(db, "RESET ROLE");
    expect(await rows(db, "SELECT current_user, session_user")).toEqual([[role, role]]);
    await expect(rows(db, "SELECT * FROM users")).rejects.toMatchObject({ message: "permission denied for table users" });
  });

  test("is a login role and nothing more, and may not create tables outside its schema", async () => {
    const { url, plugin } = await setting();
    const db = await open(url, plugin);
    expect(
      await rows(
        db,
        "SELECT rolsuper, rolcreaterole, rolcreatedb, rolinherit, rolcanlogin FROM pg_roles WHERE rolname = current_user",
      ),
    ).toEqual([[false, false, false, false, true]]);
    await expect(rows(db, "CREATE TABLE public.probe_sneaky (id INT)")).rejects.toMatchObject({
      message: "permission denied for schema public",
    });
  });

  test("works on its own tables, which its migrations made in its own schema, owned by its role", async () => {
    const { url, plugin, role, table } = await setting();
    const db = await open(url, plugin);
    expect(db.dialect).toBe("postgres");
    expect(db.location).toContain(`${role}:***@`);
    expect(await rows(db, `INSERT INTO ${table} (text) VALUES ($1) RETURNING id`, ["one"])).toEqual([[1]]);
    expect(await db.query({ sql: `SELECT id, text FROM ${table}`, params: [], method: "execute" })).toEqual({
      rows: [{ id: 1, text: "one" }],
    });
    await withAdmin(url, async (admin) => {
      expect([...(await admin`SELECT schemaname, tableowner FROM pg_tables WHERE tablename = ${table}`)]).toEqual([
        { schemaname: role, tableowner: role },
      ]);
      expect([...(await admin`SELECT schemaname FROM pg_tables WHERE tablename = '__tessera_plugin_migrations'`)]).toEqual([
        { schemaname: role },
      ]);
    });
  });

  test("applies migrations once; a re-open (another instance) keeps the role's password, connects and applies none", async () => {
    const { url, plugin, role, table } = await setting();
    const logs: string[] = [];
    const password = async () => {
      let found: unknown;
      await withAdmin(url, async (admin) => {
        [found] = await admin`SELECT rolpassword FROM pg_authid WHERE rolname = ${role}`;
      });
      return found;
    };
    const first = await open(url, plugin, logs);
    await first.close();
    const before = await password();
    const second = await open(url, plugin, logs);
    expect(before).toBeTruthy();
    expect(await password()).toEqual(before);
    // The password is the core's secret: kept where the plugin's role cannot read it.
    await expect(rows(second, "SELECT value FROM public.kv")).rejects.toMatchObject({
      message: "permission denied for table kv",
    });
    expect(await rows(second, `SELECT count(*)::int FROM ${table}`)).toEqual([[0]]);
    expect(await rows(second, "SELECT plugin, name FROM __tessera_plugin_migrations")).toEqual([[plugin, "0001_items"]]);
    expect(logs.filter((line) => line.includes("applied the isolated plugin's migrations"))).toHaveLength(1);
  });

  test("a statement past the deadline answers 503 like the core's", async () => {
    const { url, plugin } = await setting();
    const db = await open(url, plugin, [], { connectTimeoutMs: 3_000, statementTimeoutMs: 200 });
    await expect(rows(db, "SELECT pg_sleep(3)")).rejects.toMatchObject({ code: "ERR_DB_UNREACHABLE", status: 503 });
  });
});

describe.skipIf(!postgres)("the core's PostgreSQL user and isolated plugins", () => {
  /** A login role for the core, not a superuser, with `attributes`; its URL. */
  const coreUser = async (url: string, attributes: string) => {
    const user = `tessera_test_core_${crypto.randomUUID().slice(0, 8)}`;
    roles.push(user);
    await withAdmin(url, async (admin) => {
      await admin.unsafe(`CREATE ROLE "${user}" LOGIN ${attributes}`);
      await admin.unsafe(`GRANT CREATE ON DATABASE "${new URL(url).pathname.slice(1)}" TO "${user}"`);
      await admin.unsafe(`GRANT ALL ON kv TO "${user}"`);
    });
    const parsed = new URL(url);
    parsed.username = user;
    return { user, url: parsed.toString() };
  };

  test("without CREATEROLE, opening fails with ERR_DB_ISOLATION naming the plugin and the SQL to run", async () => {
    const { url, plugin, role } = await setting();
    const core = await coreUser(url, "NOCREATEROLE");
    const log = createLogger({ write: () => {} });
    await expect(
      openPluginDatabase({ url: core.url, cwd: dir, plugin, migrations: migrationsOf(plugin), log }),
    ).rejects.toMatchObject({
      code: "ERR_DB_ISOLATION",
      message: expect.stringContaining(
        `Isolated plugin "${plugin}" needs its own PostgreSQL role and schema "${role}", and ${core.user} may not make them. ` +
          `Run as a superuser: ALTER ROLE "${core.user}" CREATEROLE;`,
      ),
    });
  });

  test("with CREATEROLE, a core user that is not a superuser makes the role and schema", async () => {
    const { url, plugin, table } = await setting();
    const core = await coreUser(url, "CREATEROLE");
    const db = await open(core.url, plugin);
    expect(await rows(db, `INSERT INTO ${table} (text) VALUES ($1) RETURNING text`, ["made"])).toEqual([["made"]]);
    await expect(rows(db, "SELECT * FROM users")).rejects.toMatchObject({ message: "permission denied for table users" });
    // The database's drop needs the core user's grant on it gone first; the role goes in afterAll.
    cleanups.push(() => withAdmin(url, (admin) => admin.unsafe(`DROP OWNED BY "${core.user}"`)));
  });

  test("refuses a role of that name that holds more than a login, such as a member of another role", async () => {
    const { url, plugin, role } = await setting();
    await withAdmin(url, (admin) => admin.unsafe(`CREATE ROLE "${role}" LOGIN NOINHERIT; GRANT pg_read_all_data TO "${role}"`));
    const log = createLogger({ write: () => {} });
    await expect(openPluginDatabase({ url, cwd: dir, plugin, migrations: migrationsOf(plugin), log })).rejects.toMatchObject({
      code: "ERR_DB_ISOLATION",
      message: expect.stringContaining("has attributes or memberships beyond LOGIN NOSUPERUSER"),
    });
  });
});
