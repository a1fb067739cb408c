// A plugin's own tables, written once for both dialects the way the core's are (schema/tables.ts): the
// plugin's `define` gets the dialect's column builders and runs once per dialect, on first use. The
// tables themselves come from the plugin's SQL migrations; these are only the query builder's view.
import type { Database } from "./database";
import { pgKit, type SchemaKit, sqliteKit } from "./schema/kits";
import { sqliteKitAsShared } from "./shared-view";

export type { SchemaKit };

export const pluginTables = <T>(define: (k: SchemaKit) => T): ((db: Database) => T) => {
  const built = new Map<Database["dialect"], T>();
  return (db) => {
    let tables = built.get(db.dialect);
    if (tables === undefined) {
      tables = define(db.dialect === "sqlite" ? sqliteKitAsShared(sqliteKit) : pgKit);
      built.set(db.dialect, tables);
    }
    return tables;
  };
};
