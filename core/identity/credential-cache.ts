// Credentials answered from memory: without it every authenticated request reads its session and user
// from the database (a read transaction, its file locks, drizzle's mapping), or verifies an IdP token's
// signature, which is most of what an API call costs. Safe because every revocation and user change
// announces itself (identity-changes.ts: here at once, on other instances through the identity
// channel), an entry lives ttlMs at most and never past the credential's own expiry, and nothing is
// served while `trusted()` says announcements may be getting lost (Redis subscriber down).
import type { IdentityChange } from "./identity-changes";
import { hashSessionToken } from "./sessions";

export interface CredentialCacheOptions<V> {
  /** How long a credential, once checked, is answered from memory; 0 turns the cache off. */
  ttlMs: number;
  maxEntries: number;
  /** The full check, for a token not in memory; null when the token is not valid. */
  lookup: (token: string) => Promise<V | null>;
  /** When the credential itself stops being valid (epoch ms). */
  expiresAt: (value: V) => number;
  /** Whether a change (a revoked session, a changed user) makes this answer stale. */
  staleAfter: (value: V, change: { sessionIds: ReadonlySet<string>; userIds: ReadonlySet<string> }) => boolean;
  /** False while changes made elsewhere may not reach this cache; it then neither answers nor stores. */
  trusted?: () => boolean;
  now?: () => number;
}

export interface CredentialCache<V> {
  /** The lookup's answer for this token, from memory when a recent lookup gave it. */
  find(token: string): V | null | Promise<V | null>;
  /** Forgets the entries a change makes stale. */
  invalidate(change: IdentityChange): void;
  /** Forgets everything (after changes may have been missed). */
  clear(): void;
  readonly size: number;
}

interface Entry<V> {
  value: V;
  until: number;
}

export const createCredentialCache = <V>({
  ttlMs,
  maxEntries,
  lookup,
  expiresAt,
  staleAfter,
  trusted = () => true,
  now = Date.now,
}: CredentialCacheOptions<V>): CredentialCache<V> => {
  // Keyed by the token's SHA-256, so a heap dump holds no usable credential.
  const entries = new Map<string, Entry<V>>();
  // Bumped by every invalidation: a lookup that was in flight across one may have read the row
  // before the change, so its answer is returned but not kept.
  let generation = 0;

  const store = async (key: string, token: string): Promise<V | null> => {
    const started = generation;
    const value = await lookup(token);
    if (value !== null && started === generation && trusted()) {
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.set(key, { value, until: Math.min(now() + ttlMs, expiresAt(value)) });
    }
    return value;
  };

  const forget = (stale: (value: V) => boolean) => {
    generation++;
    for (const [key, entry] of entries) if (stale(entry.value)) entries.delete(key);
  };

  return {
    find(token) {
      if (ttlMs <= 0 || !trusted()) return lookup(token);
      const key = hashSessionToken(token);
      const entry = entries.get(key);
      if (entry) {
        // `until` is capped by the credential's expiry, so an expired one is never answered from here.
        if (entry.until > now()) return entry.value;
        entries.delete(key);
      }
      return store(key, token);
    },
    invalidate({ sessionIds = [], userIds = [] }) {
      const change = { sessionIds: new Set(sessionIds), userIds: new Set(userIds) };
      forget((value) => staleAfter(value, change));
    },
    clear() {
      forget(() => true);
    },
    get size() {
      return entries.size;
    },
  };
};
