import { describe, expect, test } from "bun:test";
import { parseDatabaseUrl } from "../../../core/db/parse-database-url";

describe("parseDatabaseUrl", () => {
  test("resolves a relative SQLite path against the given directory", () => {
    expect(parseDatabaseUrl("sqlite:./data/tessera.db", "/srv/tessera")).toEqual({
      dialect: "sqlite",
      path: "/srv/tessera/data/tessera.db",
    });
  });

  test("keeps an absolute SQLite path and the in-memory form", () => {
    expect(parseDatabaseUrl("sqlite:/var/lib/t.db", "/srv")).toEqual({ dialect: "sqlite", path: "/var/lib/t.db" });
    expect(parseDatabaseUrl("sqlite::memory:")).toEqual({ dialect: "sqlite", path: ":memory:" });
  });

  test("accepts both PostgreSQL schemes", () => {
    expect(parseDatabaseUrl("postgres://u:p@db:5432/t")).toEqual({ dialect: "postgres", url: "postgres://u:p@db:5432/t" });
    expect(parseDatabaseUrl("postgresql://db/t").dialect).toBe("postgres");
  });

  test("rejects an unknown scheme as ERR_CONFIG_INVALID at database.url", () => {
    expect(() => parseDatabaseUrl("mysql://root:hunter2@db/t")).toThrow(
      expect.objectContaining({ code: "ERR_CONFIG_INVALID", path: "database.url" }),
    );
  });

  test("does not echo a password in the unknown-scheme message", () => {
    try {
      parseDatabaseUrl("mysql://root:hunter2@db/t");
      throw new Error("expected a throw");
    } catch (error) {
      expect(String(error)).not.toContain("hunter2");
    }
  });

  test("rejects an empty or ambiguous SQLite path", () => {
    expect(() => parseDatabaseUrl("sqlite:")).toThrow(expect.objectContaining({ code: "ERR_CONFIG_INVALID" }));
    expect(() => parseDatabaseUrl("sqlite:///data/t.db")).toThrow(expect.objectContaining({ code: "ERR_CONFIG_INVALID" }));
  });
});
