// drizzle-kit input for the SQLite migrations:
//   node_modules/.bin/drizzle-kit generate --config core/db/drizzle-sqlite.config.ts
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./core/db/schema/sqlite.ts",
  out: "./core/db/migrations/sqlite",
});
