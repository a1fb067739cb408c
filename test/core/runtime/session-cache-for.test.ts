// Two instances on one database and one Redis, each answering sessions from its own cache: a
// revocation on one must end the session on the other at once, and an instance that can't hear the
// other's changes must go to the database.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RedisClient } from "bun";
import { eq } from "drizzle-orm";
import type { Database } from "../../../core/db/database";
import { migrate } from "../../../core/db/migrate";
import { openDatabase } from "../../../core/db/open-database";
import type { IdentityChange } from "../../../core/identity/identity-changes";
import { identityChanged } from "../../../core/identity/identity-changes";
import { createSession, revokeSession, revokeSessionByToken } from "../../../core/identity/sessions";
import { createUser, updateUser } from "../../../core/identity/users";
import { createLogger } from "../../../core/log/json-logger";
import { sessionCacheFor } from "../../../core/runtime/session-cache-for";
import { clearPrefix, killSubscribers, redisTestUrl, uniquePrefix } from "../../support/redis";

const logger = createLogger({ write: () => {} });
const redisUrl = await redisTestUrl();

const until = async (condition: () => Promise<boolean>, timeoutMs = 3_000): Promise<number> => {
  const started = performance.now();
  while (!(await condition())) {
    if (performance.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await Bun.sleep(2);
  }
  return performance.now() - started;
};

describe.skipIf(!redisUrl)("session caches of instances sharing Redis", () => {
  const url = redisUrl ?? "";
  const prefix = uniquePrefix("identity");
  const dir = mkdtempSync(join(tmpdir(), "tessera-identity-"));
  let a: Database;
  let b: Database;
  let instanceA: ReturnType<typeof sessionCacheFor>;
  let instanceB: ReturnType<typeof sessionCacheFor>;
  let userId = "";

  beforeAll(async () => {
    // One SQLite file opened twice: two instances' connections, each with its own listeners.
    a = await openDatabase(`sqlite:${join(dir, "shared.db")}`);
    await migrate(a);
    b = await openDatabase(`sqlite:${join(dir, "shared.db")}`);
    const config = { sessionCache: { ttlMs: 60_000, maxEntries: 100 }, redis: { url, prefix } };
    instanceA = sessionCacheFor(a, config, logger);
    instanceB = sessionCacheFor(b, config, logger);
    userId = (await createUser(a, { email: `two.${crypto.randomUUID()}@example.org`, name: "Two" })).id;
    await until(async () => Boolean(instanceA.channel?.listening && instanceB.channel?.listening));
  });
  afterAll(async () => {
    await instanceA.close();
    await instanceB.close();
    await a.close();
    await b.close();
    await clearPrefix(url, prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  test("a session signed out on one instance stops working on the other within milliseconds", async () => {
    const { token } = await createSession(a, userId, { ttlMs: 3_600_000 });
    expect(await instanceB.cache.find(token)).not.toBeNull();
    expect(instanceB.cache.find(token)).not.toBeInstanceOf(Promise);
    await revokeSessionByToken(a, token);
    const took = await until(async () => (await instanceB.cache.find(token)) === null);
    expect(took).toBeLessThan(500);
  });

  test("a user renamed on one instance shows renamed on the other", async () => {
    const { token } = await createSession(a, userId, { ttlMs: 3_600_000 });
    expect((await instanceB.cache.find(token))?.user.name).toBe("Two");
    await updateUser(a, userId, { name: "Renamed" });
    await until(async () => (await instanceB.cache.find(token))?.user.name === "Renamed");
  });

  test("plugins on both instances hear a revocation, a peer cut off and an unshared workspace, made on one of them", async () => {
    const heardA: IdentityChange[] = [];
    const heardB: IdentityChange[] = [];
    const stopA = instanceA.changes.listen((change) => heardA.push(change));
    const stopB = instanceB.changes.listen((change) => heardB.push(change));
    try {
      const { session } = await createSession(a, userId, { ttlMs: 3_600_000 });
      await revokeSession(a, session.id);
      await identityChanged(a, { peerIds: ["peer-a"], unshared: [{ workspaceId: "w1", peerId: "peer-a" }] });
      await until(async () => heardB.length === 2);
      for (const heard of [heardA, heardB]) {
        expect(heard[0]?.sessionIds).toEqual([session.id]);
        expect(heard[1]).toMatchObject({ peerIds: ["peer-a"], unshared: [{ workspaceId: "w1", peerId: "peer-a" }] });
      }
    } finally {
      stopA();
      stopB();
    }
  });

  test("without a session cache the channel still carries revocations to the other instance's plugins", async () => {
    const config = { sessionCache: { ttlMs: 0, maxEntries: 100 }, redis: { url, prefix } };
    const uncached = sessionCacheFor(b, config, logger);
    try {
      await until(async () => Boolean(uncached.channel?.listening));
      const heard: IdentityChange[] = [];
      uncached.changes.listen((change) => heard.push(change));
      await identityChanged(a, { sessionIds: ["s-uncached"] });
      await until(async () => heard.some((change) => change.sessionIds?.includes("s-uncached")));
    } finally {
      await uncached.close();
    }
  });

  test("while its subscriber is down an instance asks the database, and forgets everything when it is back", async () => {
    const channel = instanceB.channel;
    if (!channel) throw new Error("instance B has no identity channel");
    const { token, session } = await createSession(a, userId, { ttlMs: 3_600_000 });
    expect(await instanceB.cache.find(token)).not.toBeNull();
    expect(instanceB.cache.size).toBeGreaterThan(0);

    expect(await killSubscribers(url, channel.subscriberName)).toBeGreaterThan(0);
    await until(async () => !channel.listening);
    // Written without announcing it, as if the announcement were lost with the subscriber.
    await a.orm.update(a.tables.sessions).set({ revokedAt: Date.now() }).where(eq(a.tables.sessions.id, session.id));
    expect(await instanceB.cache.find(token)).toBeNull();

    await until(async () => channel.listening);
    expect(instanceB.cache.size).toBe(0);
  });

  test("an unreadable message on the channel empties the cache rather than being ignored", async () => {
    const { token } = await createSession(a, userId, { ttlMs: 3_600_000 });
    await instanceB.cache.find(token);
    expect(instanceB.cache.size).toBeGreaterThan(0);
    const publisher = new RedisClient(url);
    await publisher.send("PUBLISH", [`${prefix}identity`, '{"origin":"x","sessionIds":[1]}']);
    publisher.close();
    await until(async () => instanceB.cache.size === 0);
  });
});
