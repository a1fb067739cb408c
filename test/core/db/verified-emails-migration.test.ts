// Migration 0005 on a database holding users from before it: who keeps a verified email and who does not.
import { describe, expect, test } from "bun:test";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "../../../core/db/database";
import { migrate } from "../../../core/db/migrate";
import { createUser, findUserByEmail, findUserById } from "../../../core/identity/users";
import { testDialects } from "../../support/databases";

const MIGRATIONS = join(import.meta.dir, "../../../core/db/migrations");

/** The dialect's migrations up to (not including) `before`, in a folder of their own. */
const migrationsBefore = (dialect: string, before: string): string => {
  const folder = mkdtempSync(join(tmpdir(), "tessera-migrations-"));
  cpSync(join(MIGRATIONS, dialect), folder, { recursive: true });
  const journalFile = join(folder, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalFile, "utf8"));
  journal.entries = journal.entries.filter((entry: { tag: string }) => entry.tag < before);
  writeFileSync(journalFile, JSON.stringify(journal));
  return folder;
};

// Written as the old schema had it: through the driver, since today's tables have more columns.
const seed = async (db: Database) => {
  const statements = [
    "INSERT INTO users (id, email, name, is_admin, created_at) VALUES ('cli', 'ops@example.org', 'Ops', false, 1)",
    "INSERT INTO users (id, email, name, is_admin, created_at) VALUES ('oidc', 'claimed@example.org', 'Claimer', false, 1)",
    "INSERT INTO identities (issuer, subject, user_id, created_at) VALUES ('https://idp.example', 'claimer', 'oidc', 1)",
    "INSERT INTO users (id, email, name, is_admin, guest_of, created_at) VALUES ('guest', NULL, 'Guest', false, 'peer', 1)",
  ];
  for (const statement of statements) {
    if (db.dialect === "sqlite") db.client.run(statement);
    else await db.client.unsafe(statement);
  }
};

for (const { dialect, fresh } of await testDialects()) {
  describe(`migration 0005_verified_emails (${dialect})`, () => {
    test("an operator's user keeps a verified email; a provider's user keeps its email, unverified", async () => {
      const db = await fresh();
      const folder = migrationsBefore(dialect, "0005");
      try {
        await migrate(db, { migrationsFolder: folder });
        await seed(db);
        expect((await migrate(db))[0]).toBe("0005_verified_emails");

        expect(await findUserById(db, "cli")).toMatchObject({ email: "ops@example.org", emailVerified: true });
        expect(await findUserById(db, "oidc")).toMatchObject({ email: "claimed@example.org", emailVerified: false });
        expect(await findUserById(db, "guest")).toMatchObject({ email: null, emailVerified: false });
        expect((await findUserByEmail(db, "ops@example.org"))?.id).toBe("cli");
        expect(await findUserByEmail(db, "claimed@example.org")).toBeNull();
        // The unverified address no longer holds its place.
        expect(await createUser(db, { email: "claimed@example.org" })).toMatchObject({ emailVerified: true });
        await expect(createUser(db, { email: "ops@example.org" })).rejects.toMatchObject({ code: "ERR_CONFLICT" });
      } finally {
        rmSync(folder, { recursive: true, force: true });
        await db.close();
      }
    });
  });
}
