// Session tokens answered from memory: without it every authenticated request reads its session and
// user from the database (a read transaction, its file locks, drizzle's mapping), which is most of
// what an API call costs. Safe because every revocation and user change announces itself
// (identity-changes.ts: here at once, on other instances through the identity channel), an entry
// lives ttlMs at most whatever happens, and nothing is served while `trusted()` says announcements
// may be getting lost (Redis subscriber down).
import type { IdentityChange } from "./identity-changes";
import type { LiveSession } from "./sessions";
import { hashSessionToken } from "./sessions";
import type { User } from "./types";

export interface FoundSession {
  session: LiveSession;
  user: User;
}

export type SessionLookup = (token: string) => Promise<FoundSession | null>;

export interface SessionCacheOptions {
  /** How long a looked-up session is answered from memory; 0 turns the cache off. */
  ttlMs: number;
  maxEntries: number;
  lookup: SessionLookup;
  /** False while changes made elsewhere may not reach this cache; it then neither answers nor stores. */
  trusted?: () => boolean;
  now?: () => number;
}

export interface SessionCache {
  /** The live session a token names, with its user; null when unknown, expired or revoked. */
  find(token: string): FoundSession | null | Promise<FoundSession | null>;
  /** Forgets the entries a change makes stale. */
  invalidate(change: IdentityChange): void;
  /** Forgets everything (after changes may have been missed). */
  clear(): void;
  readonly size: number;
}

interface Entry {
  found: FoundSession;
  until: number;
}

export const createSessionCache = ({
  ttlMs,
  maxEntries,
  lookup,
  trusted = () => true,
  now = Date.now,
}: SessionCacheOptions): SessionCache => {
  const entries = new Map<string, Entry>();
  // Bumped by every invalidation: a lookup that was in flight across one may have read the row
  // before the change, so its answer is returned but not kept.
  let generation = 0;

  const store = async (key: string, token: string): Promise<FoundSession | null> => {
    const started = generation;
    const found = await lookup(token);
    if (found && started === generation && trusted()) {
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.set(key, { found, until: Math.min(now() + ttlMs, found.session.expiresAt) });
    }
    return found;
  };

  const forget = (stale: (found: FoundSession) => boolean) => {
    generation++;
    for (const [key, entry] of entries) if (stale(entry.found)) entries.delete(key);
  };

  return {
    find(token) {
      if (ttlMs <= 0 || !trusted()) return lookup(token);
      const key = hashSessionToken(token);
      const entry = entries.get(key);
      if (entry) {
        // `until` is capped by the session's expiry, so an expired session is never answered from here.
        if (entry.until > now()) return entry.found;
        entries.delete(key);
      }
      return store(key, token);
    },
    invalidate({ sessionIds = [], userIds = [] }) {
      const sessions = new Set(sessionIds);
      const users = new Set(userIds);
      forget(({ session, user }) => sessions.has(session.id) || users.has(user.id));
    },
    clear() {
      forget(() => true);
    },
    get size() {
      return entries.size;
    },
  };
};
