import type { Dialect } from "./database";

// Hot queries are built and prepared once per open database, not on every call: drizzle's query
// building costs more than SQLite's lookup itself.

export const preparedPer = <D extends object, Q>(build: (db: D) => Q): ((db: D) => Q) => {
  const cache = new WeakMap<D, Q>();
  return (db) => {
    let query = cache.get(db);
    if (query === undefined) {
      query = build(db);
      cache.set(db, query);
    }
    return query;
  };
};

/**
 * The rows of a prepared query: synchronously on SQLite (bun:sqlite is synchronous, and drizzle's
 * `execute()` would wrap it in three promises), as a promise on PostgreSQL. For hot read paths.
 */
export const rowsOf = <R>(
  db: { dialect: Dialect },
  query: { execute(placeholders?: Record<string, unknown>): Promise<R[]> },
  placeholders?: Record<string, unknown>,
): R[] | Promise<R[]> =>
  // The orm is typed as PostgreSQL's for both dialects; on SQLite the prepared query also has all().
  db.dialect === "sqlite"
    ? (query as unknown as { all(placeholders?: Record<string, unknown>): R[] }).all(placeholders)
    : query.execute(placeholders);
