// drizzle-kit input for the PostgreSQL migrations:
//   node_modules/.bin/drizzle-kit generate --config core/db/drizzle-postgres.config.ts
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./core/db/schema/postgres.ts",
  out: "./core/db/migrations/postgres",
});
