// Single-use markers in the shared `kv` table (callback states, token jtis): kept until they expire, in
// the database so every instance that shares it refuses the same replay. Plugins namespace their keys
// with a prefix of their own.
import { createHash } from "node:crypto";
import { and, count, eq, like, lt } from "drizzle-orm";
import type { Database } from "./database";

/** A marker key that names its parts by their SHA-256 and does not store them. */
export const markerKey = (prefix: string, kind: string, ...parts: string[]): string =>
  `${prefix}${kind}:${createHash("sha256").update(parts.join("\n")).digest("hex")}`;

/** Records `key` until `expiresAt`; false when it is already recorded and unexpired: a replay. */
export const recordOnce = async (db: Database, key: string, expiresAt: number): Promise<boolean> => {
  const { kv } = db.tables;
  await db.orm.delete(kv).where(and(eq(kv.key, key), lt(kv.expiresAt, Date.now())));
  const inserted = await db.orm
    .insert(kv)
    .values({ key, value: "used", expiresAt })
    .onConflictDoNothing()
    .returning({ key: kv.key });
  return inserted.length > 0;
};

/** Deletes the expired rows under `prefix`. */
export const purgeExpired = async (db: Database, prefix: string): Promise<void> => {
  const { kv } = db.tables;
  await db.orm.delete(kv).where(and(like(kv.key, `${prefix}%`), lt(kv.expiresAt, Date.now())));
};

/** Rows under `prefix`, expired or not: what they occupy until the next purge. */
export const countMarkers = async (db: Database, prefix: string): Promise<number> => {
  const { kv } = db.tables;
  const [row] = await db.orm
    .select({ rows: count() })
    .from(kv)
    .where(like(kv.key, `${prefix}%`));
  return row?.rows ?? 0;
};
