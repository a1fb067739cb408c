// The session cache as config asks for it, kept current by this instance's own identity changes and,
// when instances share a Redis, by everyone else's.
import type { CoreConfig } from "../config/core-schema";
import type { Database } from "../db/database";
import { onIdentityChange } from "../identity/identity-changes";
import { type IdentityChannel, openIdentityChannel } from "../identity/identity-channel";
import { createSessionCache, type SessionCache } from "../identity/session-cache";
import { findSessionByToken } from "../identity/sessions";
import type { Logger } from "../log/logger";

export const sessionCacheFor = (
  db: Database,
  config: Pick<CoreConfig, "sessionCache" | "redis">,
  log: Logger,
): { cache: SessionCache; channel: IdentityChannel | undefined; close(): Promise<void> } => {
  const { ttlMs, maxEntries } = config.sessionCache;
  let listening = () => true;
  const cache = createSessionCache({
    ttlMs,
    maxEntries,
    lookup: (token) => findSessionByToken(db, token),
    trusted: () => listening(),
  });
  const unlisten = onIdentityChange(db, (change) => cache.invalidate(change));
  const channel =
    config.redis && ttlMs > 0
      ? openIdentityChannel({
          url: config.redis.url,
          prefix: config.redis.prefix,
          db,
          logger: log.child({ component: "identity-channel" }),
          onRemoteChange: (change) => cache.invalidate(change),
          onMissed: () => cache.clear(),
        })
      : undefined;
  if (channel) listening = () => channel.listening;
  return {
    cache,
    channel,
    async close() {
      unlisten();
      await channel?.close();
    },
  };
};
