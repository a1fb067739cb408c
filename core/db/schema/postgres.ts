// The schema as PostgreSQL tables; also drizzle-kit's input for core/db/migrations/postgres.
import { pgKit } from "./kits";
import { defineTables } from "./tables";

export const postgresTables = defineTables(pgKit);

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
} = postgresTables;
