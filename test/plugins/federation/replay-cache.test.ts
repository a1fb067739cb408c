import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Database } from "../../../core/db/database";
import { ReplayCache } from "../../../plugins/federation/inbox/replay-cache";
import { testDialects } from "../../support/databases";

const record = (jti: string, expiresAt = Date.now() + 60_000) => ({
  jti,
  peerId: "peer-a",
  type: "command" as const,
  commandId: "c-1",
  body: "{}",
  expiresAt,
});

for (const { dialect, migrated } of await testDialects()) {
  describe(`the replay cache (${dialect})`, () => {
    let db: Database;
    beforeAll(async () => {
      db = await migrated();
    });
    afterAll(() => db.close());

    test("accepts a jti once and refuses it after", async () => {
      const cache = new ReplayCache(db);
      expect(await cache.claim(record("j-1"))).toBe(true);
      expect(await cache.claim(record("j-1"))).toBe(false);
    });

    test("remembers across a restart: a new cache on the same database refuses a seen jti", async () => {
      expect(await new ReplayCache(db).claim(record("j-2"))).toBe(true);
      expect(await new ReplayCache(db).claim(record("j-2"))).toBe(false);
    });

    test("concurrent claims of one jti let exactly one through", async () => {
      const caches = [new ReplayCache(db), new ReplayCache(db), new ReplayCache(db)];
      const results = await Promise.all(caches.map((cache) => cache.claim(record("j-3"))));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    test("prune forgets only what can no longer verify", async () => {
      const cache = new ReplayCache(db);
      await cache.claim(record("j-old", Date.now() - 1));
      await cache.claim(record("j-live"));
      await cache.prune();
      expect(await new ReplayCache(db).claim(record("j-old"))).toBe(true);
      expect(await new ReplayCache(db).claim(record("j-live"))).toBe(false);
    });
  });
}
