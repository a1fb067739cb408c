// The plugin's rows in the shared `kv` table: single-use markers (callback states, logout-token jtis)
// kept until they expire, and the generated cookie key. In the database, so every instance that
// shares it refuses the same replay and opens the same cookies.
import { createHash } from "node:crypto";
import { and, eq, like, lt } from "drizzle-orm";
import type { Database } from "../../core/db/database";
import { TesseraError } from "../../core/errors/tessera-error";

const PREFIX = "oidc:";

/** A marker key that does not store the value itself. */
export const markerKey = (kind: string, ...parts: string[]) =>
  `${PREFIX}${kind}:${createHash("sha256").update(parts.join("\n")).digest("hex")}`;

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

export const purgeExpired = async (db: Database): Promise<void> => {
  const { kv } = db.tables;
  await db.orm.delete(kv).where(and(like(kv.key, `${PREFIX}%`), lt(kv.expiresAt, Date.now())));
};

/** The value stored under `key`, storing `create()` first if there is none; concurrent callers agree on one value. */
export const storedValue = async (db: Database, key: string, create: () => string): Promise<string> => {
  const { kv } = db.tables;
  await db.orm
    .insert(kv)
    .values({ key: `${PREFIX}${key}`, value: create(), expiresAt: null })
    .onConflictDoNothing();
  const [row] = await db.orm
    .select({ value: kv.value })
    .from(kv)
    .where(eq(kv.key, `${PREFIX}${key}`))
    .limit(1);
  if (!row) throw new TesseraError("ERR_INTERNAL", `The kv row ${PREFIX}${key} vanished right after it was written`);
  return row.value;
};
