// An isolated plugin's statements on PostgreSQL run on a small pool of its own that logs in as its own
// role (postgres-role.ts): the server's privileges keep it from the core's tables, whatever the SQL says.
import type { SQL } from "bun";
import { openPostgres, type PostgresDeadlines } from "../../db/open-postgres";
import { scrubPassword } from "../../db/redact-url";
import { withStatementDeadline } from "../../db/statement-deadline";
import { databaseUnavailable, isDatabaseUnreachable } from "../../db/unreachable";
import { isTesseraError } from "../../errors/tessera-error";
import type { Logger } from "../../log/logger";
import type { DbQueryParams, DbQueryResult } from "../wire/protocol";
import { fromWire } from "../wire/values";
import type { PluginDatabase } from "./plugin-database";
import { applyPluginMigrations } from "./plugin-migrations-in";
import { provisionPluginRole } from "./postgres-role";
import { arrayRow, type Column, objectRow } from "./postgres-rows";
import { queryFailed } from "./query-failed";

const POOL_SIZE = 4;

/** The core's URL with the plugin's role and password: same host, port, database and options. */
const roleUrl = (url: string, role: string, password: string): string => {
  const parsed = new URL(url);
  parsed.username = role;
  parsed.password = password;
  // Bun.sql reads its pool size from the URL too.
  parsed.searchParams.set("max", String(POOL_SIZE));
  return parsed.toString();
};

const columnsOf = (result: unknown): Column[] =>
  typeof result === "object" && result !== null && "columns" in result && Array.isArray(result.columns) ? result.columns : [];

const run = async (client: SQL, { sql, params, method }: DbQueryParams): Promise<DbQueryResult> => {
  const query = client.unsafe(sql, params.map(fromWire));
  if (method === "run") {
    await query;
    return { rows: [] };
  }
  if (method === "execute") {
    const result: Record<string, unknown>[] = await query;
    const columns = columnsOf(result);
    return { rows: result.map((row) => objectRow(row, columns)) };
  }
  const result: unknown[][] = await query.values();
  const columns = columnsOf(result);
  const rows = result.map((row) => arrayRow(row, columns));
  return { rows: method === "get" ? (rows[0] ?? []) : rows };
};

export const openPostgresPluginDatabase = async (
  url: string,
  plugin: string,
  migrations: { sqlite: string; postgres: string },
  log: Logger,
  deadlines: PostgresDeadlines,
): Promise<PluginDatabase> => {
  const { role, password } = await provisionPluginRole(url, plugin, deadlines);
  const own = roleUrl(url, role, password);
  const db = await openPostgres(own, deadlines);
  try {
    // On the role's own connections, so the tables it makes are its own.
    await applyPluginMigrations(db, plugin, migrations, log);
  } catch (error) {
    await db.close();
    throw error;
  }
  const client = withStatementDeadline(db.client, deadlines.statementTimeoutMs);
  return {
    dialect: "postgres",
    location: db.location,
    async query(params) {
      try {
        return await run(client, params);
      } catch (error) {
        if (isTesseraError(error)) throw error;
        if (isDatabaseUnreachable(error)) throw databaseUnavailable(error);
        const message = error instanceof Error ? error.message : String(error);
        throw queryFailed(scrubPassword(message, own), error);
      }
    },
    close: () => db.close(),
  };
};
