import { describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/bun-sql";
import { isDatabaseUnreachable } from "../../../core/db/unreachable";
import { toTesseraError } from "../../../core/http/to-tessera-error";

/** What a query through drizzle throws when PostgreSQL is not there (port 1: nothing listens). */
const refusedQuery = async (): Promise<unknown> => {
  const client = new SQL("postgres://postgres@127.0.0.1:1/none", { connectionTimeout: 2 });
  try {
    return await drizzle({ client })
      .execute(sql`SELECT 1`)
      .then(() => new Error("the query unexpectedly succeeded"));
  } catch (error) {
    return error;
  } finally {
    await client.close();
  }
};

describe("an unreachable database", () => {
  test("is recognised through drizzle's wrapping", async () => {
    expect(isDatabaseUnreachable(await refusedQuery())).toBe(true);
  });

  test("other failures are not mistaken for it", () => {
    const syntax = Object.assign(new Error("syntax error at or near"), { code: "ERR_POSTGRES_SERVER_ERROR" });
    expect(isDatabaseUnreachable(new Error("Failed query", { cause: syntax }))).toBe(false);
    expect(isDatabaseUnreachable("ERR_POSTGRES_CONNECTION_CLOSED")).toBe(false);
  });

  test("becomes a 503 with Retry-After, the driver's error kept as the cause for the log", async () => {
    const error = await refusedQuery();
    const problem = toTesseraError("UNKNOWN", error, "GET", "/me");
    expect(problem).toMatchObject({ code: "ERR_DB_UNREACHABLE", status: 503, headers: { "Retry-After": "1" } });
    expect(problem.cause).toBe(error);
  });
});
