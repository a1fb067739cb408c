// The plugin's rows in the shared `kv` table: single-use markers (callback states, logout-token jtis)
// kept until they expire, and the generated cookie key. In the database, so every instance that
// shares it refuses the same replay and opens the same cookies.

import { TesseraError } from "tessera/plugin";
import { type Database, eq, purgeExpired as purgeExpiredKeys, markerKey as sharedMarkerKey } from "tessera/plugin/db";

const PREFIX = "oidc:";

/** A marker key of this plugin's that does not store the value itself. */
export const markerKey = (kind: string, ...parts: string[]) => sharedMarkerKey(PREFIX, kind, ...parts);

export const purgeExpired = (db: Database): Promise<void> => purgeExpiredKeys(db, PREFIX);

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

/** A lasting marker (no expiry), e.g. that a right was granted by a group. */
export const setFlag = async (db: Database, key: string): Promise<void> => {
  await db.orm
    .insert(db.tables.kv)
    .values({ key: `${PREFIX}${key}`, value: "1", expiresAt: null })
    .onConflictDoNothing();
};

export const hasFlag = async (db: Database, key: string): Promise<boolean> => {
  const { kv } = db.tables;
  const rows = await db.orm
    .select({ key: kv.key })
    .from(kv)
    .where(eq(kv.key, `${PREFIX}${key}`))
    .limit(1);
  return rows.length > 0;
};

export const clearFlag = async (db: Database, key: string): Promise<void> => {
  await db.orm.delete(db.tables.kv).where(eq(db.tables.kv.key, `${PREFIX}${key}`));
};
