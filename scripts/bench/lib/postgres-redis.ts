// A throwaway PostgreSQL database and Redis key prefix for runs of several instances (the two-instance
// scenarios, the soak), on the servers named by TESSERA_BENCH_POSTGRES_URL (default the local `test`
// database, trust auth) and TESSERA_BENCH_REDIS_URL (default the local Redis).
import { RedisClient, SQL } from "bun";

export const BENCH_POSTGRES_URL = process.env.TESSERA_BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const BENCH_REDIS_URL = process.env.TESSERA_BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";

const withAdmin = async (statement: string) => {
  const admin = new SQL(BENCH_POSTGRES_URL, { max: 1 });
  try {
    await admin.unsafe(statement);
  } finally {
    await admin.close();
  }
};

/** Deletes the keys under `prefix` (SCAN, never KEYS, so a shared Redis is not blocked). */
export const clearRedisPrefix = async (prefix: string) => {
  const client = new RedisClient(BENCH_REDIS_URL);
  try {
    let cursor = "0";
    do {
      const reply = await client.send("SCAN", [cursor, "MATCH", `${prefix}*`, "COUNT", "1000"]);
      if (!Array.isArray(reply)) break;
      cursor = String(reply[0]);
      const keys = Array.isArray(reply[1]) ? reply[1].map(String) : [];
      if (keys.length) await client.send("DEL", keys);
    } while (cursor !== "0");
  } finally {
    client.close();
  }
};

export interface BenchStore {
  databaseUrl: string;
  redis: { url: string; prefix: string };
  /** Drops the database (ending connections left open) and deletes the prefix's keys. */
  drop(): Promise<void>;
}

/** A new database `<name>_<random>` and the Redis prefix `<name>:<random>:`, so runs never see each other's state. */
export const createBenchStore = async (name: string): Promise<BenchStore> => {
  const database = `${name}_${crypto.randomUUID().replaceAll("-", "")}`;
  const prefix = `${name}:${database}:`;
  await withAdmin(`CREATE DATABASE "${database}"`);
  const databaseUrl = new URL(BENCH_POSTGRES_URL);
  databaseUrl.pathname = `/${database}`;
  return {
    databaseUrl: databaseUrl.toString(),
    redis: { url: BENCH_REDIS_URL, prefix },
    async drop() {
      await withAdmin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await clearRedisPrefix(prefix);
    },
  };
};
