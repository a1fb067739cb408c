// Live connections end with what let them in: a revoked session (sign-out, back-channel logout, a
// session revoked by an admin) closes its sockets with 4401 and ends its event streams; a suspended or
// disconnected peer's guests are closed with 4403; a workspace unshared from a peer drops its guests'
// subscriptions as a removed member's. Changes come from ctx.identityChanges: this instance's, and with
// Redis every other's; those missed while this instance's subscriber was away are found by recheck().
// Sockets and streams both register here, indexed so a change costs what it touches.
import type { IdentityChange } from "tessera/plugin/identity";
import type { Connection } from "./connection";
import type { Hub } from "./hub";
import { CLOSE } from "./protocol";

export interface RevocationOptions {
  hub: Pick<Hub, "unshare">;
  /**
   * How long a revoked session is remembered, so a credential checked just before its revocation — a
   * ticket issued for it, an `auth` message in flight — can't open a connection after it.
   */
  rememberMs: number;
  now?: () => number;
}

type Index = Map<string, Set<Connection>>;

const add = (index: Index, key: string | undefined, connection: Connection): void => {
  if (key === undefined) return;
  let set = index.get(key);
  if (!set) {
    set = new Set();
    index.set(key, set);
  }
  set.add(connection);
};

const remove = (index: Index, key: string | undefined, connection: Connection): void => {
  if (key === undefined) return;
  const set = index.get(key);
  if (set?.delete(connection) && set.size === 0) index.delete(key);
};

const endRevoked = (connection: Connection): void => {
  connection.error("session_revoked", "The session was revoked (signed out); sign in again");
  connection.end(CLOSE.UNAUTHENTICATED, "session revoked");
};

const endWithdrawn = (connection: Connection): void => {
  connection.error("access_withdrawn", "Access through your instance was withdrawn here");
  connection.end(CLOSE.FORBIDDEN, "access withdrawn");
};

export class Revocations {
  private readonly bySession: Index = new Map();
  private readonly byPeer: Index = new Map();
  /** Session id → when its revocation arrived; in arrival order, so the oldest are pruned first. */
  private readonly revoked = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: RevocationOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Whether the revocation of the session with this id arrived within rememberMs. */
  isRevoked(sessionId: string | undefined): boolean {
    if (sessionId === undefined) return false;
    const at = this.revoked.get(sessionId);
    return at !== undefined && this.now() - at < this.options.rememberMs;
  }

  /** An authenticated connection; one whose session was revoked meanwhile is ended at once. */
  track(connection: Connection): void {
    if (this.isRevoked(connection.sessionId)) {
      endRevoked(connection);
      return;
    }
    add(this.bySession, connection.sessionId, connection);
    add(this.byPeer, connection.guestOf, connection);
  }

  /** Before a connection closes or re-authenticates (which may change its session). */
  untrack(connection: Connection): void {
    remove(this.bySession, connection.sessionId, connection);
    remove(this.byPeer, connection.guestOf, connection);
  }

  apply(change: IdentityChange): void {
    for (const peerId of change.peerIds ?? []) {
      for (const connection of [...(this.byPeer.get(peerId) ?? [])]) endWithdrawn(connection);
    }
    if (change.sessionIds?.length) this.remember(change.sessionIds);
    for (const sessionId of change.sessionIds ?? []) {
      for (const connection of [...(this.bySession.get(sessionId) ?? [])]) endRevoked(connection);
    }
    for (const { workspaceId, peerId } of change.unshared ?? []) this.options.hub.unshare(workspaceId, peerId);
  }

  /**
   * Revocations published while this instance was not listening are lost: every tracked session is
   * checked against the database, and those no longer live end as revoked ones do.
   */
  async recheck(liveSessions: (sessionIds: readonly string[]) => Promise<Set<string>>): Promise<void> {
    const sessionIds = [...this.bySession.keys()];
    if (sessionIds.length === 0) return;
    const live = await liveSessions(sessionIds);
    const ended = sessionIds.filter((sessionId) => !live.has(sessionId));
    if (ended.length > 0) this.apply({ sessionIds: ended });
  }

  /** Connections indexed by session or peer: none is left behind once every connection closed. */
  get tracked(): number {
    const all = new Set<Connection>();
    for (const index of [this.bySession, this.byPeer]) for (const set of index.values()) for (const c of set) all.add(c);
    return all.size;
  }

  private remember(sessionIds: readonly string[]): void {
    const now = this.now();
    for (const [sessionId, at] of this.revoked) {
      if (now - at < this.options.rememberMs) break;
      this.revoked.delete(sessionId);
    }
    for (const sessionId of sessionIds) {
      // Re-inserted so that arrival order stays the map's order.
      this.revoked.delete(sessionId);
      this.revoked.set(sessionId, now);
    }
  }
}
