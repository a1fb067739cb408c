// Writes that can end or alter what a session token stands for — a revoked session, a changed user —
// announced to whoever keeps identity in memory (the session cache, and through Redis other instances).
// Keyed by the open database, so the functions that write stay plain `(db, …)` functions.

export interface IdentityChange {
  sessionIds?: readonly string[];
  userIds?: readonly string[];
}

/** May return a promise: a change is announced once every listener has settled (see identityChanged). */
export type IdentityListener = (change: IdentityChange) => void | Promise<void>;

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

/**
 * Called after the write committed, so a lookup that follows sees it in the database. Resolves once the
 * change has gone out to other instances too, so a client told "signed out" finds it so everywhere.
 * Listeners report their own failures; this never rejects.
 */
export const identityChanged = async (db: object, change: IdentityChange): Promise<void> => {
  if (!change.sessionIds?.length && !change.userIds?.length) return;
  const pending: Promise<void>[] = [];
  for (const listener of listeners.get(db) ?? []) {
    const settled = listener(change);
    if (settled) pending.push(settled);
  }
  await Promise.all(pending);
};
