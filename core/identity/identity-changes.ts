// Writes that can end or alter what a session token stands for — a revoked session, a changed user, a
// peer's guests cut off or a workspace unshared from them — announced to whoever keeps identity in
// memory (the session cache, live connections, and through Redis other instances). Keyed by the open
// database, so the functions that write stay plain `(db, …)` functions.

/** A workspace a peer's guests no longer reach; their sessions stand. */
export interface Unshared {
  workspaceId: string;
  peerId: string;
}

export interface IdentityChange {
  sessionIds?: readonly string[];
  userIds?: readonly string[];
  /** Peers suspended or disconnected: their guests lose everything here (their sessions are revoked too). */
  peerIds?: readonly string[];
  unshared?: readonly Unshared[];
}

/** May return a promise: a change is announced once every listener has settled (see identityChanged). */
export type IdentityListener = (change: IdentityChange) => void | Promise<void>;

/** Every identity change, this instance's and (with Redis) the other instances', for what is held open. */
export interface IdentityChanges {
  listen(listener: (change: IdentityChange) => void): () => void;
  /**
   * Changes may have been missed (the Redis identity subscriber was away and is back): re-check what is
   * held open, e.g. with `liveSessions`.
   */
  onMissed(listener: () => void): () => void;
  /** Which of these session ids are still live (not revoked, not expired), from the database. */
  liveSessions(sessionIds: readonly string[]): Promise<Set<string>>;
}

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

export const isEmptyChange = (change: IdentityChange): boolean =>
  !change.sessionIds?.length && !change.userIds?.length && !change.peerIds?.length && !change.unshared?.length;

/**
 * Called after the write committed, so a lookup that follows sees it in the database. Resolves once the
 * change has gone out to other instances too, so a client told "signed out" finds it so everywhere.
 * Listeners report their own failures; this never rejects.
 */
export const identityChanged = async (db: object, change: IdentityChange): Promise<void> => {
  if (isEmptyChange(change)) return;
  const pending: Promise<void>[] = [];
  for (const listener of listeners.get(db) ?? []) {
    const settled = listener(change);
    if (settled) pending.push(settled);
  }
  await Promise.all(pending);
};
