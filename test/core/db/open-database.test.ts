import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../../core/db/open-database";
import { testDialects } from "../../support/databases";
import { postgresTestUrl } from "../../support/postgres";

const scratch = mkdtempSync(join(tmpdir(), "tessera-db-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("openDatabase (SQLite)", () => {
  test("creates the parent directory of a relative path and sets the server pragmas", async () => {
    const db = await openDatabase("sqlite:./nested/dir/tessera.db", { cwd: scratch });
    try {
      expect(db.dialect).toBe("sqlite");
      expect(existsSync(join(scratch, "nested/dir/tessera.db"))).toBe(true);
      if (db.dialect !== "sqlite") throw new Error("expected SQLite");
      const pragma = (name: string) => db.client.query(`PRAGMA ${name}`).values()[0]?.[0];
      expect(pragma("journal_mode")).toBe("wal");
      expect(pragma("busy_timeout")).toBe(5000);
      expect(pragma("foreign_keys")).toBe(1);
      // NORMAL is 1.
      expect(pragma("synchronous")).toBe(1);
    } finally {
      await db.close();
    }
  });

  test("answers ping while open and closes twice without complaint", async () => {
    const db = await openDatabase("sqlite::memory:");
    expect(await db.ping()).toBe(true);
    await db.close();
    await db.close();
  });
});

describe("openDatabase (PostgreSQL)", () => {
  test("reports an unreachable server as ERR_DB_UNREACHABLE without the password", async () => {
    const url = "postgres://tessera:s3cret-Pa55@127.0.0.1:1/tessera";
    const error = await openDatabase(url).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toMatchObject({ code: "ERR_DB_UNREACHABLE" });
    expect(String(error)).not.toContain("s3cret-Pa55");
    expect(error instanceof Error ? String(error.cause) : "").not.toContain("s3cret-Pa55");
    expect(String(error)).toContain("tessera:***@127.0.0.1:1");
  });
});

for (const { dialect, fresh } of await testDialects()) {
  describe(`Database (${dialect})`, () => {
    test("pings while open and says where it is", async () => {
      const db = await fresh();
      try {
        expect(db.dialect).toBe(dialect);
        expect(await db.ping()).toBe(true);
        expect(db.location).toStartWith(dialect === "sqlite" ? "sqlite:" : "postgres://");
      } finally {
        await db.close();
      }
    });
  });
}

const adminUrl = await postgresTestUrl();

describe.skipIf(!adminUrl)("openDatabase (PostgreSQL, reachable)", () => {
  test("names its location with the password masked", async () => {
    // The test server trusts local connections, so any password gets in.
    const url = new URL(adminUrl ?? "");
    url.password = "not-logged";
    const db = await openDatabase(url.toString());
    try {
      expect(db.location).toContain(":***@");
      expect(db.location).not.toContain("not-logged");
    } finally {
      await db.close();
    }
  });

  test("ping resolves false with the reason once the pool is closed", async () => {
    const db = await openDatabase(adminUrl ?? "");
    await db.close();
    const reasons: unknown[] = [];
    expect(await db.ping((error) => reasons.push(error))).toBe(false);
    expect(reasons[0]).toMatchObject({ code: "ERR_DB_UNREACHABLE" });
  });
});
