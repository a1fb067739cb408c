// The session cache as config asks for it, kept current by this instance's own identity changes and,
// when instances share a Redis, by everyone else's; the same changes go on to plugins (ctx.identityChanges),
// whose live connections must end with the sessions and access they rest on.
import type { CoreConfig } from "../config/core-schema";
import type { Database } from "../db/database";
import { type IdentityChange, type IdentityChanges, onIdentityChange } from "../identity/identity-changes";
import { type IdentityChannel, openIdentityChannel } from "../identity/identity-channel";
import { liveSessionIds } from "../identity/live-sessions";
import { createSessionCache, type SessionCache } from "../identity/session-cache";
import { findSessionByToken } from "../identity/sessions";
import type { Logger } from "../log/logger";

export const sessionCacheFor = (
  db: Database,
  config: Pick<CoreConfig, "sessionCache" | "redis">,
  log: Logger,
): { cache: SessionCache; changes: IdentityChanges; channel: IdentityChannel | undefined; close(): Promise<void> } => {
  const { ttlMs, maxEntries } = config.sessionCache;
  let listening = () => true;
  const cache = createSessionCache({
    ttlMs,
    maxEntries,
    lookup: (token) => findSessionByToken(db, token),
    trusted: () => listening(),
  });
  const listeners = new Set<(change: IdentityChange) => void>();
  const changed = (change: IdentityChange) => {
    cache.invalidate(change);
    for (const listener of listeners) {
      try {
        listener(change);
      } catch (error) {
        log.error("an identity change listener failed", { error });
      }
    }
  };
  const unlisten = onIdentityChange(db, changed);
  const missedListeners = new Set<() => void>();
  // What was published while the subscriber was away is lost: the cache starts over, and whoever holds
  // connections open re-checks them against the database.
  const missed = () => {
    cache.clear();
    for (const listener of missedListeners) {
      try {
        listener();
      } catch (error) {
        log.error("an identity resync listener failed", { error });
      }
    }
  };
  // Opened even without a session cache: other instances' live connections must hear of revocations.
  const channel = config.redis
    ? openIdentityChannel({
        url: config.redis.url,
        prefix: config.redis.prefix,
        db,
        logger: log.child({ component: "identity-channel" }),
        onRemoteChange: changed,
        onMissed: missed,
      })
    : undefined;
  if (channel) listening = () => channel.listening;
  return {
    cache,
    changes: {
      listen(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      onMissed(listener) {
        missedListeners.add(listener);
        return () => missedListeners.delete(listener);
      },
      liveSessions: (sessionIds) => liveSessionIds(db, sessionIds),
    },
    channel,
    async close() {
      unlisten();
      listeners.clear();
      missedListeners.clear();
      await channel?.close();
    },
  };
};
