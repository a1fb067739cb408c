// `tessera/plugin/db`: the database a plugin gets as `ctx.db`, the tables it may query, and the
// query helpers the core's own repositories use. The drizzle operators come from the core's copy, so a
// plugin run by the single binary builds queries the core's drizzle understands without bundling its own.

export {
  and,
  asc,
  count,
  desc,
  eq,
  gt,
  gte,
  inArray,
  isNotNull,
  isNull,
  like,
  lt,
  lte,
  ne,
  not,
  or,
  type SQL,
  sql,
} from "drizzle-orm";
export type { Database, Dialect, Orm } from "../db/database";
export { countMarkers, markerKey, purgeExpired, recordOnce } from "../db/kv-markers";
export { pluginTables, type SchemaKit } from "../db/plugin-tables";
export { preparedPer, rowsOf } from "../db/prepared";
export type { Tables } from "../db/schema/tables";
export { transaction } from "../db/transaction";
