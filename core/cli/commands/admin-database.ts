// The database for admin commands that change who may do what (disable, delete, revoke). The running
// servers must hear of it: with Redis configured, the change goes out on the identity channel they
// listen to, so their session caches drop it and live connections close at once.
import type { Database } from "../../db/open-database";
import { openIdentityChannel } from "../../identity/identity-channel";
import { createLogger } from "../../log/json-logger";
import { withDatabase } from "../with-database";

export const withAdminDatabase = <T>(file: string | undefined, work: (db: Database) => Promise<T>): Promise<T> =>
  withDatabase(file, async (db, _applied, config) => {
    if (!config.redis) return work(db);
    const channel = openIdentityChannel({
      url: config.redis.url,
      prefix: config.redis.prefix,
      db,
      logger: createLogger({ level: "warn", write: (line) => process.stderr.write(`${line}\n`) }),
      // This process holds nothing open that another instance's change could affect.
      onRemoteChange: () => undefined,
      onMissed: () => undefined,
    });
    try {
      return await work(db);
    } finally {
      await channel.close();
    }
  });
