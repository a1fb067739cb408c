// The acting user of a federated command: the hub's user on whose behalf it spawns or kills, carried
// inside the signed message (so the hub vouches for it with its instance key), stored with the agent
// and in the audit log, and checked against the peer's allow-list when its admin set one.
import { type Static, Type } from "@sinclair/typebox";
import type { User } from "tessera/plugin/identity";
import { fedError } from "../errors";

export const ActingUserSchema = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 128 }),
  email: Type.Optional(Type.String({ minLength: 3, maxLength: 320 })),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});

export type ActingUser = Static<typeof ActingUserSchema>;

/**
 * The email this instance vouches for when it speaks of one of its users to a peer: only a verified one,
 * since a peer's grants and sign-in may match on it.
 */
export const vouchedEmail = (user: User): string | undefined =>
  user.email !== null && user.emailVerified ? user.email : undefined;

/** A user of this instance as the `actor` of a command it sends. */
export const actingUser = (user: User): ActingUser => {
  const email = vouchedEmail(user);
  return {
    id: user.id,
    ...(email === undefined ? {} : { email }),
    ...(user.name === null ? {} : { name: user.name }),
  };
};

/** The agent columns that record who asked for a run. */
export const actorColumns = (actor: ActingUser | null | undefined) => ({
  actorId: actor?.id ?? null,
  actorEmail: actor?.email ?? null,
  actorName: actor?.name ?? null,
});

/**
 * A peer restricted to `users` (hub user ids or emails) may spawn and kill only on behalf of one of
 * them. Reads carry no actor when the hub asks for itself (reconciling), and stay allowed.
 */
export const requireAllowedActor = (
  peerId: string,
  users: readonly string[] | undefined,
  command: string,
  actor: ActingUser | undefined,
): void => {
  if (users === undefined) return;
  const acts = command === "agent.spawn" || command === "agent.kill";
  if (!actor) {
    if (!acts) return;
    throw fedError("ERR_FED_NOT_GRANTED", 403, `Peer ${peerId} may ${command} only on behalf of a listed user, and named none`);
  }
  const email = actor.email?.toLowerCase();
  const listed = users.some((entry) => entry === actor.id || (email !== undefined && entry.toLowerCase() === email));
  if (!listed) {
    throw fedError("ERR_FED_NOT_GRANTED", 403, `This instance has not granted peer ${peerId}'s user ${actor.email ?? actor.id}`);
  }
};
