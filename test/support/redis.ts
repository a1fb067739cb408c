// Redis for tests: the server at TESSERA_TEST_REDIS_URL (default the local one), under the same
// rule as PostgreSQL — required in CI, skipped with a printed line elsewhere.
import { RedisClient } from "bun";
import { redactUrl } from "../../core/db/redact-url";
import { requireOrSkip } from "./service-availability";

export const REDIS_TEST_URL = process.env.TESSERA_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

let reachable: Promise<boolean> | undefined;

/** The Redis URL when it answers PING; null (after printing why) when it doesn't outside CI; throws in CI. */
export const redisTestUrl = async (): Promise<string | null> => {
  reachable ??= requireOrSkip("Redis", redactUrl(REDIS_TEST_URL), "Redis suite", async () => {
    const client = new RedisClient(REDIS_TEST_URL, { connectionTimeout: 3_000, autoReconnect: false });
    try {
      await client.ping();
    } finally {
      client.close();
    }
  });
  return (await reachable) ? REDIS_TEST_URL : null;
};

/** A key namespace no other run or suite uses. */
export const uniquePrefix = (suite: string): string => `tessera-test:${suite}:${crypto.randomUUID().slice(0, 8)}:`;

/** Deletes every key under a prefix (SCAN, never KEYS, so a shared server isn't blocked). */
export const clearPrefix = async (url: string, prefix: string): Promise<void> => {
  const client = new RedisClient(url, { autoReconnect: false });
  try {
    let cursor = "0";
    do {
      const reply = await client.send("SCAN", [cursor, "MATCH", `${prefix}*`, "COUNT", "500"]);
      if (!Array.isArray(reply) || reply.length !== 2) break;
      cursor = String(reply[0]);
      const keys = Array.isArray(reply[1]) ? reply[1].map(String) : [];
      if (keys.length) await client.send("DEL", keys);
    } while (cursor !== "0");
  } finally {
    client.close();
  }
};

/** Kills the subscriber connections named `name` (CLIENT SETNAME), as a network cut would; returns how many. */
export const killSubscribers = async (url: string, name: string): Promise<number> => {
  const admin = new RedisClient(url, { autoReconnect: false });
  try {
    const list = String(await admin.send("CLIENT", ["LIST", "TYPE", "pubsub"]));
    const ids = list
      .split("\n")
      .filter((line) => line.includes(` name=${name} `))
      .map((line) => /\bid=(\d+)/.exec(line)?.[1])
      .filter((id): id is string => id !== undefined);
    for (const id of ids) await admin.send("CLIENT", ["KILL", "ID", id]);
    return ids.length;
  } finally {
    admin.close();
  }
};
