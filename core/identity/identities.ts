// Sign-in: an identity provider's (issuer, subject) pair maps to one Tessera user, created on
// first sign-in; the name follows the provider's on every sign-in, the email only once verified.
import { and, eq, isNull, sql } from "drizzle-orm";
import { andThen, type MaybePromise } from "../async/maybe-promise";
import type { Database, Orm } from "../db/database";
import { preparedPer, rowsOf } from "../db/prepared";
import type { Tables } from "../db/schema/tables";
import { transaction } from "../db/transaction";
import { conflict } from "../errors/tessera-error";
import { identityChanged } from "./identity-changes";
import type { User } from "./types";
import { emailTaken, findUserByEmail, insertUser, normalizeEmail, type UserChanges, updateUser, userColumns } from "./users";

export interface IdentityClaims {
  issuer: string;
  subject: string;
  /** Undefined or null leaves the stored value alone. */
  email?: string | null;
  name?: string | null;
  /**
   * Tessera takes the email as verified: the provider marks it so (OIDC `email_verified`) and is
   * trusted with emails. Only then does it join an existing user with that email, replace the user's
   * email, or count for config `admins`; an unverified email is kept for display and nothing else.
   */
  emailVerified?: boolean;
}

interface LinkedIdentity {
  user: User;
  email: string | null;
  emailVerified: boolean;
}

const findLinkedUser = async (orm: Orm, tables: Tables, { issuer, subject }: IdentityClaims): Promise<LinkedIdentity | null> => {
  const { identities, users } = tables;
  const [linked] = await orm
    .select({ user: userColumns(tables), email: identities.email, emailVerified: identities.emailVerified })
    .from(identities)
    .innerJoin(users, eq(users.id, identities.userId))
    .where(and(eq(identities.issuer, issuer), eq(identities.subject, subject)))
    .limit(1);
  return linked ?? null;
};

/** The claimed email, lower-cased, and whether it is verified; no email is never verified. */
const claimedEmail = (claims: IdentityClaims): { email: string | null; verified: boolean } => {
  const email = claims.email ? normalizeEmail(claims.email) : null;
  return { email, verified: email !== null && claims.emailVerified === true };
};

// The user's email follows the provider's only when verified: an unverified one is taken only by a
// user who has none, so changing one's address at the provider can't move it onto someone else's.
const profileChanges = (user: User, claims: IdentityClaims): UserChanges => {
  const { email, verified } = claimedEmail(claims);
  const changes: UserChanges = {};
  if (verified && (email !== user.email || !user.emailVerified)) Object.assign(changes, { email, emailVerified: true });
  else if (email !== null && user.email === null) Object.assign(changes, { email, emailVerified: false });
  if (claims.name !== undefined && claims.name !== null && claims.name !== user.name) changes.name = claims.name;
  return changes;
};

const rememberClaim = async (db: Database, linked: LinkedIdentity, claims: IdentityClaims) => {
  const { email, verified } = claimedEmail(claims);
  if (claims.email === undefined || (email === linked.email && verified === linked.emailVerified)) return;
  const { identities } = db.tables;
  await db.orm
    .update(identities)
    .set({ email, emailVerified: verified })
    .where(and(eq(identities.issuer, claims.issuer), eq(identities.subject, claims.subject)));
};

const refreshProfile = async (db: Database, linked: LinkedIdentity, claims: IdentityClaims): Promise<User> => {
  await rememberClaim(db, linked, claims);
  const { user } = linked;
  const changes = profileChanges(user, claims);
  if (Object.keys(changes).length === 0) return user;
  if (changes.email && changes.emailVerified) {
    const holder = await findUserByEmail(db, changes.email);
    if (holder && holder.id !== user.id) throw emailTaken(changes.email);
  }
  return (await updateUser(db, user.id, changes)) ?? user;
};

const linkNewIdentity = async (tx: Orm, tables: Tables, claims: IdentityClaims): Promise<User> => {
  const { email, verified } = claimedEmail(claims);
  const { users } = tables;
  // Only a verified holder counts: an unverified claim to an address neither receives nor blocks it.
  const [holder] = email
    ? await tx
        .select(userColumns(tables))
        .from(users)
        .where(and(eq(users.email, email), eq(users.emailVerified, true)))
        .limit(1)
    : [];
  if (holder && !verified) throw emailTaken(holder.email ?? "");
  const user = holder ?? (await insertUser(tx, tables, { email, emailVerified: verified, name: claims.name ?? null }));
  const [linked] = await tx
    .insert(tables.identities)
    .values({
      issuer: claims.issuer,
      subject: claims.subject,
      userId: user.id,
      email,
      emailVerified: verified,
      createdAt: Date.now(),
    })
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
    .where(
      and(
        eq(identities.issuer, sql.placeholder("issuer")),
        eq(identities.subject, sql.placeholder("subject")),
        // A disabled user's access tokens are refused like their sessions.
        isNull(users.disabledAt),
      ),
    )
    .prepare("tessera_user_by_identity");
});

/**
 * The user linked to (issuer, subject), or null; never creates one (IdP access tokens, back-channel
 * logout). At once on SQLite: bearer access tokens ask on every request they are not cached for.
 */
export const findUserByIdentity = (db: Database, issuer: string, subject: string): MaybePromise<User | null> =>
  andThen(rowsOf(db, linkedUser(db), { issuer, subject }), ([user]) => user ?? null);

/**
 * The user signed in as (issuer, subject), created on first sign-in, with email and name brought up to
 * date. A new link is announced as a change of its user, so admins named by identity are re-resolved.
 */
export const findOrCreateUserByIdentity = async (db: Database, claims: IdentityClaims): Promise<User> => {
  const existing = await findLinkedUser(db.orm, db.tables, claims);
  if (existing) return refreshProfile(db, existing, claims);
  try {
    const user = await transaction(db, (tx) => linkNewIdentity(tx, db.tables, claims));
    await identityChanged(db, { userIds: [user.id] });
    return user;
  } catch (error) {
    // A concurrent first sign-in of the same identity won: use the user it linked.
    const linked = await findLinkedUser(db.orm, db.tables, claims);
    if (!linked) throw error;
    return refreshProfile(db, linked, claims);
  }
};
