import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import type { Database } from "../../../core/db/database";
import { onIdentityChange } from "../../../core/identity/identity-changes";
import { createSessionCache, type FoundSession, type SessionCacheOptions } from "../../../core/identity/session-cache";
import {
  createSession,
  findSessionByToken,
  revokeSession,
  revokeSessionByToken,
  revokeSessionsWhere,
} from "../../../core/identity/sessions";
import type { User } from "../../../core/identity/types";
import { createUser, updateUser } from "../../../core/identity/users";
import { testDialects } from "../../support/databases";

const HOUR = 3_600_000;

for (const { dialect, migrated } of await testDialects()) {
  describe(`session cache (${dialect})`, () => {
    let db: Database;
    let user: User;
    let unlisten: () => void = () => undefined;
    beforeAll(async () => {
      db = await migrated();
      user = await createUser(db, { email: `cache.${crypto.randomUUID()}@example.org`, name: "Cached" });
    });
    afterAll(async () => {
      unlisten();
      await db.close();
    });

    /** A cache over the real lookup that counts database lookups and hears this database's identity changes. */
    const cacheOver = (options: Partial<SessionCacheOptions> = {}) => {
      const counter = { lookups: 0 };
      const cache = createSessionCache({
        ttlMs: 60_000,
        maxEntries: 100,
        lookup: (token) => {
          counter.lookups++;
          return findSessionByToken(db, token);
        },
        ...options,
      });
      unlisten();
      unlisten = onIdentityChange(db, (change) => cache.invalidate(change));
      return { cache, counter };
    };

    const newToken = async (ttlMs = HOUR) =>
      (await createSession(db, user.id, { ttlMs, issuer: "https://idp.test", sid: "s" })).token;

    test("answers a token again from memory, without a second lookup", async () => {
      const { cache, counter } = cacheOver();
      const token = await newToken();
      const first = await cache.find(token);
      const second = cache.find(token);
      expect(second).not.toBeInstanceOf(Promise);
      expect(second).toEqual(first);
      expect(first?.user.id).toBe(user.id);
      expect(counter.lookups).toBe(1);
    });

    test("does not keep unknown tokens, so a guessed token costs a lookup every time and fills nothing", async () => {
      const { cache, counter } = cacheOver();
      expect(await cache.find("tss_not-a-real-token")).toBeNull();
      expect(await cache.find(`tss_${"A".repeat(43)}`)).toBeNull();
      expect(await cache.find(`tss_${"A".repeat(43)}`)).toBeNull();
      expect(counter.lookups).toBe(3);
      expect(cache.size).toBe(0);
    });

    test("stops answering a session the moment it is revoked, by id, by token or by filter", async () => {
      const { cache } = cacheOver();
      const [byId, byToken, byFilter] = [await newToken(), await newToken(), await newToken()];
      const [a, b, c] = [await cache.find(byId), await cache.find(byToken), await cache.find(byFilter)];
      expect([a, b, c].every((found) => found !== null)).toBe(true);

      await revokeSession(db, a?.session.id ?? "");
      expect(await cache.find(byId)).toBeNull();
      await revokeSessionByToken(db, byToken);
      expect(await cache.find(byToken)).toBeNull();
      await revokeSessionsWhere(db, { userId: user.id, issuer: "https://idp.test" });
      expect(await cache.find(byFilter)).toBeNull();
    });

    test("answers a changed name or email at once", async () => {
      const { cache } = cacheOver();
      const token = await newToken();
      expect((await cache.find(token))?.user.name).toBe("Cached");
      await updateUser(db, user.id, { name: "Renamed" });
      expect((await cache.find(token))?.user.name).toBe("Renamed");
      await updateUser(db, user.id, { name: "Cached" });
    });

    test("looks the session up again after ttlMs, and never answers past the session's own expiry", async () => {
      let now = Date.now();
      const { cache, counter } = cacheOver({ now: () => now, ttlMs: 10_000 });
      const token = await newToken();
      await cache.find(token);
      now += 9_000;
      await cache.find(token);
      expect(counter.lookups).toBe(1);
      now += 2_000;
      await cache.find(token);
      expect(counter.lookups).toBe(2);

      // A session that ends within the cache's ttl: its entry ends with it.
      const short = await newToken(1_000);
      const clock = Date.now();
      now = clock;
      expect(await cache.find(short)).not.toBeNull();
      now = clock + 1_500;
      const lookups = counter.lookups;
      // The cache asks again (and the database, whose clock has not moved yet, still has it live).
      await cache.find(short);
      expect(counter.lookups).toBe(lookups + 1);
    });

    test("does not keep an answer read before a revocation that landed while it was in flight", async () => {
      let release: () => void = () => undefined;
      const gate = new Promise<void>((done) => {
        release = done;
      });
      const lookup = async (token: string): Promise<FoundSession | null> => {
        const found = await findSessionByToken(db, token);
        await gate;
        return found;
      };
      const { cache } = cacheOver({ lookup });
      const token = await newToken();
      const inFlight = cache.find(token);
      const found = await findSessionByToken(db, token);
      await revokeSession(db, found?.session.id ?? "");
      release();
      // The read from before the revocation is still this request's answer, but is not remembered.
      expect(await inFlight).not.toBeNull();
      expect(cache.size).toBe(0);
      expect(await cache.find(token)).toBeNull();
    });

    test("keeps at most maxEntries sessions, dropping the oldest", async () => {
      const { cache, counter } = cacheOver({ maxEntries: 2 });
      const tokens = [await newToken(), await newToken(), await newToken()];
      for (const token of tokens) await cache.find(token);
      expect(cache.size).toBe(2);
      await cache.find(tokens[2] ?? "");
      expect(counter.lookups).toBe(3);
      await cache.find(tokens[0] ?? "");
      expect(counter.lookups).toBe(4);
    });

    test("neither answers nor keeps while it is not trusted, and ttlMs 0 turns it off", async () => {
      let trusted = false;
      const { cache, counter } = cacheOver({ trusted: () => trusted });
      const token = await newToken();
      await cache.find(token);
      await cache.find(token);
      expect(counter.lookups).toBe(2);
      expect(cache.size).toBe(0);
      trusted = true;
      await cache.find(token);
      await cache.find(token);
      expect(counter.lookups).toBe(3);

      const off = cacheOver({ ttlMs: 0 });
      await off.cache.find(token);
      await off.cache.find(token);
      expect(off.counter.lookups).toBe(2);
    });

    test("clear() forgets every session", async () => {
      const { cache, counter } = cacheOver();
      const token = await newToken();
      await cache.find(token);
      cache.clear();
      expect(cache.size).toBe(0);
      await cache.find(token);
      expect(counter.lookups).toBe(2);
    });

    test("a revocation written behind the API's back is still bounded by ttlMs", async () => {
      let now = Date.now();
      const { cache } = cacheOver({ now: () => now, ttlMs: 5_000 });
      const token = await newToken();
      const found = await cache.find(token);
      await db.orm
        .update(db.tables.sessions)
        .set({ revokedAt: Date.now() })
        .where(eq(db.tables.sessions.id, found?.session.id ?? ""));
      expect(await cache.find(token)).not.toBeNull();
      now += 5_001;
      expect(await cache.find(token)).toBeNull();
    });
  });
}
