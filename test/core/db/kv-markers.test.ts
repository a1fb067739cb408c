import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq, like } from "drizzle-orm";
import type { Database } from "../../../core/db/database";
import { markerKey, purgeExpired, recordOnce } from "../../../core/db/kv-markers";
import { testDialects } from "../../support/databases";

const unique = () => crypto.randomUUID().slice(0, 8);

for (const { dialect, migrated } of await testDialects()) {
  describe(`kv markers (${dialect})`, () => {
    let db: Database;
    beforeAll(async () => {
      db = await migrated();
    });
    afterAll(() => db.close());

    test("a marker is recorded once; a second record before it expires is a replay", async () => {
      const key = markerKey("test:", "jti", "issuer", unique());
      expect(await recordOnce(db, key, Date.now() + 60_000)).toBe(true);
      expect(await recordOnce(db, key, Date.now() + 60_000)).toBe(false);
    });

    test("an expired marker no longer blocks its key", async () => {
      const key = markerKey("test:", "state", unique());
      expect(await recordOnce(db, key, Date.now() - 1)).toBe(true);
      expect(await recordOnce(db, key, Date.now() + 60_000)).toBe(true);
      expect(await recordOnce(db, key, Date.now() + 60_000)).toBe(false);
    });

    test("keys name their parts by hash, never by value", () => {
      const key = markerKey("test:", "jti", "https://issuer.example", "secret-jti");
      expect(key).toMatch(/^test:jti:[0-9a-f]{64}$/);
      expect(key).not.toContain("secret-jti");
    });

    test("purging removes only the expired markers under the prefix", async () => {
      const prefix = `purge-${unique()}:`;
      const expired = markerKey(prefix, "x", "old");
      const live = markerKey(prefix, "x", "new");
      const other = markerKey(`other-${unique()}:`, "x", "old");
      await recordOnce(db, expired, Date.now() - 1);
      await recordOnce(db, live, Date.now() + 60_000);
      await recordOnce(db, other, Date.now() - 1);
      await purgeExpired(db, prefix);
      const { kv } = db.tables;
      const left = await db.orm
        .select({ key: kv.key })
        .from(kv)
        .where(like(kv.key, `${prefix}%`));
      expect(left.map((row) => row.key)).toEqual([live]);
      expect(await db.orm.select({ key: kv.key }).from(kv).where(eq(kv.key, other))).toHaveLength(1);
    });
  });
}
