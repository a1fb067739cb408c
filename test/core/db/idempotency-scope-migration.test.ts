// Migration 0007 on a database holding jobs from before Idempotency-Keys were scoped: the old rows stay
// valid, and their keys (sender unknown) neither block nor replay to any new request.
import { describe, expect, test } from "bun:test";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import type { Database } from "../../../core/db/database";
import { migrate } from "../../../core/db/migrate";
import { createJob } from "../../../plugins/coordinator/create-job";
import { testDialects } from "../../support/databases";

const MIGRATIONS = join(import.meta.dir, "../../../core/db/migrations");

const migrationsBefore = (dialect: string, before: string): string => {
  const folder = mkdtempSync(join(tmpdir(), "tessera-migrations-"));
  cpSync(join(MIGRATIONS, dialect), folder, { recursive: true });
  const journalFile = join(folder, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalFile, "utf8"));
  journal.entries = journal.entries.filter((entry: { tag: string }) => entry.tag < before);
  writeFileSync(journalFile, JSON.stringify(journal));
  return folder;
};

// Written as the old schema had it: through the driver, since today's table has more columns.
const seed = async (db: Database) => {
  const statements = [
    "INSERT INTO workspaces (id, name, created_at) VALUES ('ws', 'Old', 1)",
    "INSERT INTO jobs (id, workspace_id, type, status, progress, payload, idempotency_key, created_at, updated_at) VALUES ('old-keyed', 'ws', 'build', 'pending', 0, '{\"secret\":1}', 'order-43', 1, 1)",
    "INSERT INTO jobs (id, workspace_id, type, status, progress, created_at, updated_at) VALUES ('old-plain', 'ws', 'build', 'pending', 0, 1, 1)",
  ];
  for (const statement of statements) {
    if (db.dialect === "sqlite") db.client.run(statement);
    else await db.client.unsafe(statement);
  }
};

for (const { dialect, fresh } of await testDialects()) {
  describe(`migration 0007_idempotency_scope (${dialect})`, () => {
    test("old keyed jobs get the unknown-sender marker and are never replayed to a new request", async () => {
      const db = await fresh();
      const folder = migrationsBefore(dialect, "0007");
      try {
        await migrate(db, { migrationsFolder: folder });
        await seed(db);
        expect(await migrate(db)).toContain("0007_idempotency_scope");

        const { jobs } = db.tables;
        const scopeOf = async (id: string) =>
          (
            await db.orm
              .select({ sender: jobs.idempotencySender, route: jobs.idempotencyRoute, key: jobs.idempotencyKey })
              .from(jobs)
              .where(eq(jobs.id, id))
          )[0];
        expect(await scopeOf("old-keyed")).toEqual({ sender: "(unknown)", route: "(unknown)", key: "order-43" });
        expect(await scopeOf("old-plain")).toEqual({ sender: null, route: null, key: null });

        const request = {
          workspaceId: "ws",
          type: "build",
          title: null,
          idempotencyKey: "order-43",
          source: "coordinator" as const,
        };
        const created = await createJob(db, { ...request, by: "service-a" });
        expect(created.created).toBe(true);
        expect(created.job.id).not.toBe("old-keyed");
        expect(created.job.payload).toBeNull();
        const retried = await createJob(db, { ...request, by: "service-a" });
        expect(retried).toMatchObject({ created: false, job: { id: created.job.id } });
      } finally {
        rmSync(folder, { recursive: true, force: true });
        await db.close();
      }
    });
  });
}
