import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import type { Database } from "../../../core/db/database";
import { createLastSeenBatcher } from "../../../core/identity/last-seen";
import { createSession } from "../../../core/identity/sessions";
import { createUser } from "../../../core/identity/users";
import { testDialects } from "../../support/databases";

const failOnError = (error: unknown) => {
  throw error;
};

for (const { dialect, migrated } of await testDialects()) {
  describe(`last-seen batching (${dialect})`, () => {
    let db: Database;
    let userId: string;
    beforeAll(async () => {
      db = await migrated();
      userId = (await createUser(db, { name: "Seen" })).id;
    });
    afterAll(() => db.close());

    const storedLastSeen = async (sessionId: string) => {
      const { sessions } = db.tables;
      const [row] = await db.orm.select({ lastSeenAt: sessions.lastSeenAt }).from(sessions).where(eq(sessions.id, sessionId));
      return row?.lastSeenAt;
    };

    test("touches stay in memory until a flush writes the latest of each", async () => {
      const a = (await createSession(db, userId, { ttlMs: 60_000 })).session;
      const b = (await createSession(db, userId, { ttlMs: 60_000 })).session;
      const batcher = createLastSeenBatcher(db, { intervalMs: 60_000, onError: failOnError });
      for (let i = 1; i <= 50; i++) batcher.touch(a.id, a.createdAt + i);
      batcher.touch(b.id, b.createdAt + 7);
      batcher.touch(a.id, a.createdAt + 3); // older than what is noted: ignored

      expect(batcher.pending).toBe(2);
      expect(await storedLastSeen(a.id)).toBe(a.createdAt);

      expect(await batcher.flush()).toBe(2);
      expect(batcher.pending).toBe(0);
      expect(await storedLastSeen(a.id)).toBe(a.createdAt + 50);
      expect(await storedLastSeen(b.id)).toBe(b.createdAt + 7);
      expect(await batcher.flush()).toBe(0);
      await batcher.close();
    });

    test("flushes by itself once the interval has passed", async () => {
      const { session } = await createSession(db, userId, { ttlMs: 60_000 });
      const batcher = createLastSeenBatcher(db, { intervalMs: 30, onError: failOnError });
      batcher.touch(session.id, session.createdAt + 1_000);
      expect(await storedLastSeen(session.id)).toBe(session.createdAt);
      await Bun.sleep(150);
      expect(batcher.pending).toBe(0);
      expect(await storedLastSeen(session.id)).toBe(session.createdAt + 1_000);
      await batcher.close();
    });

    test("writes what is pending on close", async () => {
      const { session } = await createSession(db, userId, { ttlMs: 60_000 });
      const batcher = createLastSeenBatcher(db, { intervalMs: 60_000, onError: failOnError });
      batcher.touch(session.id, session.createdAt + 5);
      await batcher.close();
      expect(await storedLastSeen(session.id)).toBe(session.createdAt + 5);
    });

    test("keeps touches for the next flush when a write fails", async () => {
      const broken = await migrated();
      const owner = await createUser(broken, { name: "Broken" });
      const { session } = await createSession(broken, owner.id, { ttlMs: 60_000 });
      const errors: unknown[] = [];
      const batcher = createLastSeenBatcher(broken, { intervalMs: 20, onError: (error) => errors.push(error) });
      batcher.touch(session.id, session.createdAt + 9);
      await broken.close();
      await Bun.sleep(100);
      expect(errors.length).toBeGreaterThan(0);
      expect(batcher.pending).toBe(1);
      await expect(batcher.close()).rejects.toBeDefined();
    });
  });
}
