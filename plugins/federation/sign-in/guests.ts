// Guests: users of a peer who signed in here through it. Keyed by (issuer = the peer's id, subject =
// its user id), created on first sign-in, and never joined to a user of ours: a guest has no email
// here (a peer can vouch for no address of ours), only a name, and sees what is shared with its peer.

import { type Database, transaction } from "tessera/plugin/db";
import {
  findUserByIdentity,
  identityChanged,
  insertUser,
  revokeSessionsWhere,
  type User,
  updateUser,
} from "tessera/plugin/identity";
import type { AssertedUser } from "./assertion";

const displayName = (user: AssertedUser, peerName: string) => `${user.name ?? user.email ?? user.sub} (${peerName})`;

export const findOrCreateGuest = async (db: Database, peer: { id: string; name: string }, user: AssertedUser): Promise<User> => {
  const name = displayName(user, peer.name);
  const existing = await findUserByIdentity(db, peer.id, user.sub);
  if (existing) {
    if (existing.name === name) return existing;
    return (await updateUser(db, existing.id, { name })) ?? { ...existing, name };
  }
  try {
    return await transaction(db, async (tx) => {
      const created = await insertUser(tx, db.tables, { name, guestOf: peer.id });
      await tx
        .insert(db.tables.identities)
        .values({ issuer: peer.id, subject: user.sub, userId: created.id, createdAt: Date.now() });
      return created;
    });
  } catch (error) {
    // A concurrent first sign-in of the same guest won: use its user.
    const linked = await findUserByIdentity(db, peer.id, user.sub);
    if (!linked) throw error;
    return linked;
  }
};

/**
 * Ends every session a guest of this peer holds (their sessions carry the peer's id as issuer), after
 * announcing that the peer's guests lost access: their open sockets and streams close with 4403.
 */
export const endGuestSessions = async (db: Database, peerId: string): Promise<number> => {
  await identityChanged(db, { peerIds: [peerId] });
  return revokeSessionsWhere(db, { issuer: peerId });
};
