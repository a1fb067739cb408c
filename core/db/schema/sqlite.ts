// The schema as SQLite tables; also drizzle-kit's input for core/db/migrations/sqlite.
import { sqliteKitAsShared } from "../shared-view";
import { sqliteKit } from "./kits";
import { defineTables } from "./tables";

export const sqliteTables = defineTables(sqliteKitAsShared(sqliteKit));

// drizzle-kit finds tables among a module's top-level exports.
export const {
  users,
  identities,
  sessions,
  workspaces,
  workspaceMembers,
  workspaceShares,
  jobs,
  jobEvents,
  agents,
  federationPeers,
  federationMessages,
  federationAudit,
  kv,
} = sqliteTables;
