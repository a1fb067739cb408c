// ctx.db across the boundary: drizzle's proxy driver for the dialect the core gives, each statement a
// `db.query` call that the core runs on the plugin's own database. The core's tables, the connection
// itself and transactions stay in the core; a plugin without migrations has no database at all.
import { drizzle as pgProxy } from "drizzle-orm/pg-proxy";
import { drizzle as sqliteProxy } from "drizzle-orm/sqlite-proxy";
import type { Database, Dialect, Orm } from "../../db/database";
import type { Channel } from "../wire/channel";
import type { DbQueryParams, DbQueryResult } from "../wire/protocol";
import { fromWire, toWire } from "../wire/values";
import { unsupported } from "./unsupported";

const onlyOwnTables = () =>
  unsupported("The core's tables (ctx.db.tables)", "an isolated plugin gets only its own tables, the ones its migrations create");
const noClient = () =>
  unsupported("ctx.db.client (the connection itself, and so transaction())", "query through ctx.db.orm, one statement at a time");
const noTransaction = () =>
  unsupported("A transaction (ctx.db.orm.transaction)", "each statement of an isolated plugin runs on its own");

// What drizzle's proxy drivers take back: rows as arrays for all/values, one row for get, objects for
// execute. A `get` that found nothing crosses as [] (a row has a column at least) and must reach
// sqlite-proxy with `rows` absent, or it reads a row of undefined columns.
const NO_ROW: { rows: unknown[] } = Object.create(null);

/** The proxy drivers' callback over a `db.query` call. */
export const proxyQuery =
  (call: (params: DbQueryParams) => Promise<unknown>) =>
  async (sql: string, params: unknown[], method: DbQueryParams["method"]): Promise<{ rows: unknown[] }> => {
    const result = (await call({ sql, params: params.map(toWire), method })) as DbQueryResult;
    const decoded = fromWire(result.rows);
    const rows = Array.isArray(decoded) ? decoded : [];
    return method === "get" && rows.length === 0 ? NO_ROW : { rows };
  };

// The proxies' databases answer the calls the shared Orm type names, as the SQLite one does in process
// (core/db/shared-view.ts): repositories are written once against PostgreSQL's types.
const ormFor = (dialect: Dialect, channel: Channel): Orm => {
  const run = proxyQuery((params) => channel.call("db.query", params));
  const orm = (dialect === "sqlite" ? sqliteProxy(run) : pgProxy(run)) as unknown as Orm;
  Object.defineProperty(orm, "transaction", { value: () => Promise.reject(noTransaction()) });
  return orm;
};

export const wireDatabase = (dialect: Dialect, channel: Channel, plugin: string): Database => {
  const orm = ormFor(dialect, channel);
  return {
    dialect,
    orm,
    get tables(): never {
      throw onlyOwnTables();
    },
    get client(): never {
      throw noClient();
    },
    location: `the ${dialect} database of plugin ${plugin}, through the core`,
    ping: async (onError?: (error: unknown) => void) => {
      try {
        await channel.call("db.query", { sql: "SELECT 1", params: [], method: "all" } satisfies DbQueryParams);
        return true;
      } catch (error) {
        onError?.(error);
        return false;
      }
    },
    // The core owns the database; the child has nothing to close.
    close: () => Promise.resolve(),
  };
};

/** ctx.db of a plugin that declared no migrations: it has no database, and every use says how to get one. */
export const noDatabase = (): Database => {
  const refuse = (): never => {
    throw unsupported("ctx.db", "declare migrations (definePlugin({ migrations })) to get a database of the plugin's own");
  };
  return {
    get dialect(): never {
      return refuse();
    },
    get orm(): never {
      return refuse();
    },
    get tables(): never {
      return refuse();
    },
    get client(): never {
      return refuse();
    },
    get location(): never {
      return refuse();
    },
    ping: refuse,
    close: refuse,
  };
};
