// Opens a PostgreSQL pool through Bun.sql and proves it answers before the runtime relies on it.
import { SQL } from "bun";
import { drizzle } from "drizzle-orm/bun-sql";
import { TesseraError } from "../errors/tessera-error";
import type { PostgresDatabase } from "./database";
import { redactUrl, scrubPassword } from "./redact-url";
import { postgresTables } from "./schema/postgres";
import { withStatementDeadline } from "./statement-deadline";

export interface PostgresDeadlines {
  /** database.connectTimeoutMs: making a connection, TLS and authentication included. */
  connectTimeoutMs: number;
  /** database.statementTimeoutMs: each statement the ORM runs, waiting for a free connection included. */
  statementTimeoutMs: number;
}

export const DEFAULT_DEADLINES: PostgresDeadlines = { connectTimeoutMs: 3_000, statementTimeoutMs: 3_000 };
const PING_TIMEOUT_MS = 3_000;

/** The driver's error, with the URL's password scrubbed from its message in case a driver ever echoes it. */
const unreachable = (url: string, cause: unknown) => {
  const reason = scrubPassword(cause instanceof Error ? cause.message : String(cause), url);
  const safeCause = cause instanceof Error && reason === cause.message ? cause : new Error(reason);
  return new TesseraError("ERR_DB_UNREACHABLE", `Cannot reach PostgreSQL at ${redactUrl(url)}: ${reason}`, {
    status: 503,
    path: "database.url",
    cause: safeCause,
  });
};

const withTimeout = async <T>(work: Promise<T>, ms: number): Promise<T> => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
};

export const openPostgres = async (url: string, deadlines = DEFAULT_DEADLINES): Promise<PostgresDatabase> => {
  const client = new SQL(url, { connectionTimeout: deadlines.connectTimeoutMs / 1000 });
  try {
    await client`SELECT 1`;
  } catch (cause) {
    await client.close();
    throw unreachable(url, cause);
  }

  let closed = false;
  return {
    dialect: "postgres",
    client,
    // Migrations run on `client` itself: a long one is not a stuck one.
    orm: drizzle({ client: withStatementDeadline(client, deadlines.statementTimeoutMs) }),
    tables: postgresTables,
    location: redactUrl(url),
    async ping(onError) {
      try {
        await withTimeout(client`SELECT 1`.execute(), PING_TIMEOUT_MS);
        return true;
      } catch (error) {
        onError?.(unreachable(url, error));
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await client.close({ timeout: 5 });
    },
  };
};
