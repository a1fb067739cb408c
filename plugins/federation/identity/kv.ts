// The few kv-table operations the federation identity needs: read, create once (first writer wins,
// so processes starting together agree), and overwrite.
import { type Database, eq } from "tessera/plugin/db";

export const readKv = async (db: Database, key: string): Promise<string | null> => {
  const [row] = await db.orm.select({ value: db.tables.kv.value }).from(db.tables.kv).where(eq(db.tables.kv.key, key));
  return row?.value ?? null;
};

/** The stored value, creating it with `make()` if there is none yet. */
export const readOrCreateKv = async (db: Database, key: string, make: () => Promise<string>): Promise<string> => {
  const found = await readKv(db, key);
  if (found !== null) return found;
  await db.orm
    .insert(db.tables.kv)
    .values({ key, value: await make() })
    .onConflictDoNothing();
  const created = await readKv(db, key);
  if (created === null) throw new Error(`kv entry "${key}" vanished right after it was written`);
  return created;
};

export const writeKv = async (db: Database, key: string, value: string): Promise<void> => {
  await db.orm.insert(db.tables.kv).values({ key, value }).onConflictDoUpdate({ target: db.tables.kv.key, set: { value } });
};
