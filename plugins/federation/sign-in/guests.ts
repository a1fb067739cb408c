// Guests: users of a peer who signed in here through it. Keyed by (issuer = the peer's id, subject =
// its user id), created on first sign-in, and never joined to a user of ours: a guest has no email
// here (a peer can vouch for no address of ours), only a name, and sees what is shared with its peer.

import type { Database } from "../../../core/db/database";
import { transaction } from "../../../core/db/transaction";
import { findUserByIdentity } from "../../../core/identity/identities";
import { revokeSessionsWhere } from "../../../core/identity/sessions";
import type { User } from "../../../core/identity/types";
import { insertUser, updateUser } from "../../../core/identity/users";
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

/** Ends every session a guest of this peer holds; their sessions carry the peer's id as issuer. */
export const endGuestSessions = (db: Database, peerId: string): Promise<number> => revokeSessionsWhere(db, { issuer: peerId });
