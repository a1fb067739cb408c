// When each key was last accepted, kept in the shared `kv` table so `tessera keys list` (another
// process) and every instance see it. Nothing on the request path writes: a timer stores the keys
// whose in-memory lastUsedAt moved, at most once a key per interval, and once more on stop.
import type { Logger } from "tessera/plugin";
import { type Database, like, sql } from "tessera/plugin/db";
import type { StoredKey } from "./keyring";

const PREFIX = "api-key:last-used:";
export const LAST_USE_INTERVAL_MS = 60_000;

const write = async (db: Database, name: string, at: number): Promise<void> => {
  const { kv } = db.tables;
  // Instances share the row: the latest use wins, whichever instance writes last. Epoch ms have the
  // same number of digits for centuries, so the text compares as the number does.
  const value = String(at).padStart(15, "0");
  await db.orm
    .insert(kv)
    .values({ key: `${PREFIX}${name}`, value, expiresAt: null })
    .onConflictDoUpdate({
      target: kv.key,
      set: { value: sql`CASE WHEN excluded.value > ${kv.value} THEN excluded.value ELSE ${kv.value} END` },
    });
};

export interface LastUseStore {
  /** Stores what moved since the last flush (the timer calls it; stop calls it once more). */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

export const storeLastUse = (
  db: Database,
  keys: readonly StoredKey[],
  log: Logger,
  intervalMs = LAST_USE_INTERVAL_MS,
): LastUseStore => {
  const stored = new Map<StoredKey, number>();
  const flush = async () => {
    for (const key of keys) {
      const at = key.lastUsedAt;
      if (at === null || stored.get(key) === at) continue;
      await write(db, key.name, at);
      stored.set(key, at);
    }
  };
  const timer = setInterval(() => {
    flush().catch((error: unknown) => log.warn("storing API keys' last use failed", { error }));
  }, intervalMs);
  timer.unref();
  return {
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
};

/** Each key's last stored use (epoch ms), by name. */
export const readLastUses = async (db: Database): Promise<Map<string, number>> => {
  const { kv } = db.tables;
  const rows = await db.orm
    .select({ key: kv.key, value: kv.value })
    .from(kv)
    .where(like(kv.key, `${PREFIX}%`));
  return new Map(rows.map((row) => [row.key.slice(PREFIX.length), Number(row.value)]));
};
