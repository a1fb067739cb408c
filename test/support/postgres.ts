// PostgreSQL for tests: the server at TESSERA_TEST_POSTGRES_URL (default the local `test` database),
// and throwaway databases on it so runs and suites never see each other's rows.
import { SQL } from "bun";
import { redactUrl } from "../../core/db/redact-url";
import { requireOrSkip } from "./service-availability";

export const POSTGRES_ADMIN_URL = process.env.TESSERA_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

let reachable: Promise<boolean> | undefined;

/**
 * The admin URL when PostgreSQL answers; null (after printing why) when it doesn't outside CI.
 * In CI an unreachable server throws, so `await postgresTestUrl()` at a file's top level fails it.
 */
export const postgresTestUrl = async (): Promise<string | null> => {
  reachable ??= requireOrSkip("PostgreSQL", redactUrl(POSTGRES_ADMIN_URL), "PostgreSQL suite", async () => {
    const client = new SQL(POSTGRES_ADMIN_URL, { connectionTimeout: 3, max: 1 });
    try {
      await client`SELECT 1`;
    } finally {
      await client.close();
    }
  });
  return (await reachable) ? POSTGRES_ADMIN_URL : null;
};

const withAdmin = async (work: (admin: SQL) => Promise<unknown>) => {
  const admin = new SQL(POSTGRES_ADMIN_URL, { max: 1 });
  try {
    await work(admin);
  } finally {
    await admin.close();
  }
};

/** Creates `tessera_test_<random>`; returns its URL and a function that drops it. */
export const createScratchDatabase = async (): Promise<{ url: string; drop: () => Promise<void> }> => {
  const name = `tessera_test_${crypto.randomUUID().replaceAll("-", "")}`;
  await withAdmin((admin) => admin.unsafe(`CREATE DATABASE "${name}"`));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    // FORCE ends connections a failed test left open.
    drop: () => withAdmin((admin) => admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)),
  };
};
