// Writes that can end or alter what a session token stands for — a revoked session, a changed user —
// announced to whoever keeps identity in memory (the session cache, and through Redis other instances).
// Keyed by the open database, so the functions that write stay plain `(db, …)` functions.

export interface IdentityChange {
  sessionIds?: readonly string[];
  userIds?: readonly string[];
}

export type IdentityListener = (change: IdentityChange) => void;

const listeners = new WeakMap<object, Set<IdentityListener>>();

export const onIdentityChange = (db: object, listener: IdentityListener): (() => void) => {
  let set = listeners.get(db);
  if (!set) {
    set = new Set();
    listeners.set(db, set);
  }
  set.add(listener);
  return () => set.delete(listener);
};

/** Called after the write committed, so a lookup that follows sees it in the database. */
export const identityChanged = (db: object, change: IdentityChange): void => {
  if (!change.sessionIds?.length && !change.userIds?.length) return;
  for (const listener of listeners.get(db) ?? []) listener(change);
};
