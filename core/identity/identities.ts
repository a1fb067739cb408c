// Sign-in: an identity provider's (issuer, subject) pair maps to one Tessera user, created on
// first sign-in; the profile (email, name) follows the provider's on every sign-in.
import { and, eq, sql } from "drizzle-orm";
import { andThen, type MaybePromise } from "../async/maybe-promise";
import type { Database, Orm } from "../db/database";
import { preparedPer, rowsOf } from "../db/prepared";
import type { Tables } from "../db/schema/tables";
import { transaction } from "../db/transaction";
import { conflict } from "../errors/tessera-error";
import type { User } from "./types";
import { emailTaken, findUserByEmail, insertUser, normalizeEmail, updateUser, userColumns } from "./users";

export interface IdentityClaims {
  issuer: string;
  subject: string;
  /** Undefined leaves the stored value alone; null clears it. */
  email?: string | null;
  name?: string | null;
  /**
   * The provider vouches for the email (OIDC `email_verified`). Only then does a first sign-in
   * join an existing user with that email (one created by `tessera users create`, say);
   * otherwise that email being taken is a conflict, never a takeover.
   */
  emailVerified?: boolean;
}

const findLinkedUser = async (orm: Orm, tables: Tables, { issuer, subject }: IdentityClaims): Promise<User | null> => {
  const { identities, users } = tables;
  const [user] = await orm
    .select(userColumns(tables))
    .from(identities)
    .innerJoin(users, eq(users.id, identities.userId))
    .where(and(eq(identities.issuer, issuer), eq(identities.subject, subject)))
    .limit(1);
  return user ?? null;
};

const refreshProfile = async (db: Database, user: User, claims: IdentityClaims): Promise<User> => {
  const email = claims.email === undefined || claims.email === null ? claims.email : normalizeEmail(claims.email);
  const changes: { email?: string | null; name?: string | null } = {};
  if (email !== undefined && email !== user.email) changes.email = email;
  if (claims.name !== undefined && claims.name !== user.name) changes.name = claims.name;
  if (Object.keys(changes).length === 0) return user;
  if (changes.email) {
    const holder = await findUserByEmail(db, changes.email);
    if (holder && holder.id !== user.id) throw emailTaken(changes.email);
  }
  return (await updateUser(db, user.id, changes)) ?? user;
};

const linkNewIdentity = async (tx: Orm, tables: Tables, claims: IdentityClaims): Promise<User> => {
  const email = claims.email ? normalizeEmail(claims.email) : null;
  let user: User | null = null;
  if (email && claims.emailVerified) {
    const [existing] = await tx.select(userColumns(tables)).from(tables.users).where(eq(tables.users.email, email)).limit(1);
    user = existing ?? null;
  }
  user ??= await insertUser(tx, tables, { email, name: claims.name ?? null });
  const [linked] = await tx
    .insert(tables.identities)
    .values({ issuer: claims.issuer, subject: claims.subject, userId: user.id, createdAt: Date.now() })
    .onConflictDoNothing()
    .returning({ userId: tables.identities.userId });
  if (!linked) throw conflict("This identity was linked to a user concurrently", { path: "identity" });
  return user;
};

// Every request with an IdP access token looks its user up: built and prepared once per database.
// No limit: (issuer, subject) is the primary key, and a bound LIMIT costs more than the lookup.
const linkedUser = preparedPer((db: Database) => {
  const { identities, users } = db.tables;
  return db.orm
    .select(userColumns(db.tables))
    .from(identities)
    .innerJoin(users, eq(users.id, identities.userId))
    .where(and(eq(identities.issuer, sql.placeholder("issuer")), eq(identities.subject, sql.placeholder("subject"))))
    .prepare("tessera_user_by_identity");
});

/**
 * The user linked to (issuer, subject), or null; never creates one (IdP access tokens, back-channel
 * logout). At once on SQLite: bearer access tokens ask on every request they are not cached for.
 */
export const findUserByIdentity = (db: Database, issuer: string, subject: string): MaybePromise<User | null> =>
  andThen(rowsOf(db, linkedUser(db), { issuer, subject }), ([user]) => user ?? null);

/** The user signed in as (issuer, subject), created on first sign-in, with email and name brought up to date. */
export const findOrCreateUserByIdentity = async (db: Database, claims: IdentityClaims): Promise<User> => {
  const existing = await findLinkedUser(db.orm, db.tables, claims);
  if (existing) return refreshProfile(db, existing, claims);
  try {
    return await transaction(db, (tx) => linkNewIdentity(tx, db.tables, claims));
  } catch (error) {
    // A concurrent first sign-in of the same identity won: use the user it linked.
    const linked = await findLinkedUser(db.orm, db.tables, claims);
    if (!linked) throw error;
    return refreshProfile(db, linked, claims);
  }
};
