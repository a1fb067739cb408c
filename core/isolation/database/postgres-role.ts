// An isolated plugin's own PostgreSQL login role and schema, both `tessera_plugin_<name>_<database>`, made
// by the core on its own connection. Roles belong to the whole server, so the database's name (hashed) is in
// the role's: two deployments on one server never share a role, nor set each other's password. The schema belongs to the role, so the default search_path ("$user",
// public) puts the plugin's unqualified tables there, and the role has no rights on anything else.
// Making them needs CREATEROLE (and CREATE on the database) for the core's user.
import { createHash } from "node:crypto";
import { SQL } from "bun";
import type { PostgresDeadlines } from "../../db/open-postgres";
import { redactUrl, scrubPassword } from "../../db/redact-url";
import { TesseraError } from "../../errors/tessera-error";
import { pluginIdentifier } from "./plugin-identifier";

// PostgreSQL cuts longer names short, which could make two plugins share one role.
const MAX_IDENTIFIER_BYTES = 63;
// The first key of the two-key advisory lock taken while a role is made; any constant works.
const LOCK_CLASS = 0x7e55e7b;
// SQLSTATE insufficient_privilege.
const INSUFFICIENT_PRIVILEGE = "42501";

const ATTRIBUTES = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT";

/** The role (and schema) of `plugin` in `database`: `tessera_plugin_<name>_<8 hex of the database's name>`. */
export const pluginRoleName = (plugin: string, database: string): string => {
  const role = `tessera_plugin_${pluginIdentifier(plugin)}_${createHash("sha256").update(database).digest("hex").slice(0, 8)}`;
  if (new TextEncoder().encode(role).length > MAX_IDENTIFIER_BYTES) {
    throw new TesseraError(
      "ERR_DB_ISOLATION",
      `Isolated plugin "${plugin}" has a name too long for a PostgreSQL role (${role} is over ${MAX_IDENTIFIER_BYTES} bytes)`,
      { path: plugin },
    );
  }
  return role;
};

const randomPassword = (): string => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("hex");

const errnoOf = (error: unknown): unknown =>
  typeof error === "object" && error !== null && "errno" in error ? error.errno : undefined;

const notAllowed = (plugin: string, role: string, url: string, cause: unknown) => {
  const user = decodeURIComponent(new URL(url).username) || "the user in database.url";
  const database = decodeURIComponent(new URL(url).pathname.slice(1));
  return new TesseraError(
    "ERR_DB_ISOLATION",
    `Isolated plugin "${plugin}" needs its own PostgreSQL role and schema "${role}", and ${user} may not make them. ` +
      `Run as a superuser: ALTER ROLE "${user}" CREATEROLE; GRANT CREATE ON DATABASE "${database}" TO "${user}";`,
    { path: "database.url", cause },
  );
};

const failed = (plugin: string, role: string, url: string, password: string, cause: unknown) => {
  const reason = scrubPassword(cause instanceof Error ? cause.message : String(cause), url).replaceAll(password, "***");
  return new TesseraError(
    "ERR_DB_ISOLATION",
    `Making PostgreSQL role and schema "${role}" for isolated plugin "${plugin}" at ${redactUrl(url)} failed: ${reason}`,
    { path: "database.url", cause: new Error(reason) },
  );
};

/**
 * Makes the plugin's role and schema when missing and gives the role its password, which it returns. The
 * password is made once and kept in the core's `kv` table (which the role cannot read), so every instance
 * sharing the database sets the same one and none locks the others' new connections out. A role of that name holding more (a superuser, a member of another role: SET ROLE would reach
 * it) is refused.
 */
export const provisionPluginRole = async (
  url: string,
  plugin: string,
  deadlines: PostgresDeadlines,
): Promise<{ role: string; password: string }> => {
  const role = pluginRoleName(plugin, decodeURIComponent(new URL(url).pathname.slice(1)));
  const key = `isolation:postgres-password:${role}`;
  let password = randomPassword();
  const core = new SQL(url, { max: 1, connectionTimeout: deadlines.connectTimeoutMs / 1000 });
  try {
    await core.begin(async (tx) => {
      // Instances starting together take turns; the loser finds the role made.
      await tx`SELECT pg_advisory_xact_lock(${LOCK_CLASS}, hashtext(${role}))`;
      const [existing] = await tx`SELECT oid FROM pg_roles WHERE rolname = ${role}`;
      if (existing === undefined) await tx.unsafe(`CREATE ROLE "${role}" ${ATTRIBUTES}`);
      // A role of this name made by someone else must hold no more than one made here would.
      const [extra] = await tx`
        SELECT r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolinherit OR r.rolreplication OR r.rolbypassrls
          OR EXISTS (SELECT 1 FROM pg_auth_members m WHERE m.member = r.oid) AS more
        FROM pg_roles r WHERE r.rolname = ${role}`;
      if (extra?.more !== false) {
        throw new Error(`role "${role}" has attributes or memberships beyond ${ATTRIBUTES}, which the plugin would reach`);
      }
      const made = await tx`INSERT INTO kv (key, value) VALUES (${key}, ${password}) ON CONFLICT (key) DO NOTHING RETURNING key`;
      const [kept] = await tx`SELECT value FROM kv WHERE key = ${key}`;
      if (typeof kept?.value !== "string" || !/^[0-9a-f]{64}$/.test(kept.value)) throw new Error(`kv ${key} is not a password`);
      password = kept.value;
      // Set only when new: setting it again would re-salt the stored hash for nothing. The password is hex,
      // so it is safe inside the statement (ALTER ROLE takes no parameters).
      if (existing === undefined || made.length > 0) await tx.unsafe(`ALTER ROLE "${role}" PASSWORD '${password}'`);
      // Giving a schema to a role takes membership in it, which a CREATEROLE user grants itself.
      const [granted] = await tx`SELECT pg_has_role(current_user, ${role}, 'MEMBER') AS yes`;
      if (!granted?.yes) await tx.unsafe(`GRANT "${role}" TO CURRENT_USER`);
      await tx.unsafe(`CREATE SCHEMA IF NOT EXISTS "${role}" AUTHORIZATION "${role}"`);
    });
    return { role, password };
  } catch (error) {
    if (errnoOf(error) === INSUFFICIENT_PRIVILEGE) throw notAllowed(plugin, role, url, error);
    throw failed(plugin, role, url, password, error);
  } finally {
    await core.close();
  }
};
