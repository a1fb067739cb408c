// Users: created by sign-in plugins (through identities.ts) and the CLI; looked up by id or verified email.
import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import type { Database, Orm } from "../db/database";
import type { Tables } from "../db/schema/tables";
import { conflict, notFound, validationFailed } from "../errors/tessera-error";
import { identityChanged } from "./identity-changes";
import type { User } from "./types";

/** Emails compare case-insensitively everywhere, so they are stored lower-cased. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

/** The columns that make a `User` (for selects and joins). */
export const userColumns = ({ users }: Tables) => ({
  id: users.id,
  email: users.email,
  emailVerified: users.emailVerified,
  name: users.name,
  isAdmin: users.isAdmin,
  guestOf: users.guestOf,
  createdAt: users.createdAt,
});

export interface NewUser {
  email?: string | null;
  /** Whether a trusted path vouches for the email; unverified emails may be shared by several users. */
  emailVerified?: boolean;
  name?: string | null;
  isAdmin?: boolean;
  guestOf?: string | null;
}

export const emailTaken = (email: string) =>
  conflict("Another user already has this email address", { path: "email", details: { email } });

/** Inserts a user through `orm` (the database or a transaction); the email is unverified unless said otherwise. */
export const insertUser = async (orm: Orm, tables: Tables, input: NewUser): Promise<User> => {
  const email = input.email ? normalizeEmail(input.email) : null;
  const [user] = await orm
    .insert(tables.users)
    .values({
      id: crypto.randomUUID(),
      email,
      emailVerified: email !== null && input.emailVerified === true,
      name: input.name ?? null,
      isAdmin: input.isAdmin ?? false,
      guestOf: input.guestOf ?? null,
      createdAt: Date.now(),
    })
    // The id is fresh, so the only constraint that can stop this insert is the unique verified email.
    .onConflictDoNothing()
    .returning(userColumns(tables));
  if (!user) throw emailTaken(email ?? "");
  return user;
};

// name@domain: one @, nothing blank, no empty label in the domain. Deliverability is the mail server's call.
const EMAIL_ADDRESS = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)*$/;

/** An operator's user (`tessera users create`): the operator vouches for its email unless told otherwise. */
export const createUser = async (db: Database, input: NewUser): Promise<User> => {
  const email = input.email?.trim();
  if (email !== undefined && !EMAIL_ADDRESS.test(email)) {
    throw validationFailed(`"${input.email}" is not an email address (name@domain)`, { path: "email" });
  }
  return insertUser(db.orm, db.tables, { ...input, emailVerified: input.emailVerified ?? true });
};

export const findUserById = async (db: Database, id: string): Promise<User | null> => {
  const [user] = await db.orm.select(userColumns(db.tables)).from(db.tables.users).where(eq(db.tables.users.id, id)).limit(1);
  return user ?? null;
};

/** The user whose email is verified as this one; an unverified claim to an address finds nobody. */
export const findUserByEmail = async (db: Database, email: string): Promise<User | null> => {
  const { users } = db.tables;
  const [user] = await db.orm
    .select(userColumns(db.tables))
    .from(users)
    .where(and(eq(users.email, normalizeEmail(email)), eq(users.emailVerified, true)))
    .limit(1);
  return user ?? null;
};

export interface UserChanges {
  email?: string | null;
  emailVerified?: boolean;
  name?: string | null;
  /** Set and cleared by sign-in plugins that derive it (an identity provider's admin groups). */
  isAdmin?: boolean;
}

/** Changes a user's email, name or admin right; sessions cached in memory pick the change up at once. */
export const updateUser = async (db: Database, id: string, changes: UserChanges): Promise<User | null> => {
  const [user] = await db.orm
    .update(db.tables.users)
    .set(changes)
    .where(eq(db.tables.users.id, id))
    .returning(userColumns(db.tables));
  await identityChanged(db, { userIds: [id] });
  return user ?? null;
};

/** A user as an operator sees it (`tessera users list|show`): whether disabled, and since when. */
export interface UserRecord extends User {
  disabledAt: number | null;
}

const recordColumns = (tables: Tables) => ({ ...userColumns(tables), disabledAt: tables.users.disabledAt });

/** Every user, oldest first. */
export const listUsers = (db: Database): Promise<UserRecord[]> =>
  db.orm.select(recordColumns(db.tables)).from(db.tables.users).orderBy(asc(db.tables.users.createdAt), asc(db.tables.users.id));

/** A user named by id or by verified email; an unknown one is a 404 naming what was asked. */
export const findUserRecord = async (db: Database, idOrEmail: string): Promise<UserRecord> => {
  const { users } = db.tables;
  const byEmail = idOrEmail.includes("@");
  const [user] = await db.orm
    .select(recordColumns(db.tables))
    .from(users)
    .where(byEmail ? and(eq(users.email, normalizeEmail(idOrEmail)), eq(users.emailVerified, true)) : eq(users.id, idOrEmail))
    .limit(1);
  if (!user) throw notFound(`No user ${byEmail ? "with the verified email" : "with the id"} ${idOrEmail}`, { path: idOrEmail });
  return user;
};

/** Whether the user may sign in: exists and is not disabled. */
export const isUserEnabled = async (db: Database, id: string): Promise<boolean> => {
  const { users } = db.tables;
  const [user] = await db.orm
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.id, id), isNull(users.disabledAt)))
    .limit(1);
  return user !== undefined;
};

/**
 * Disables (or enables again) a user. Disabling revokes every live session through the normal
 * revocation path, so caches drop them and live connections close; enabling restores sign-in only.
 */
export const setUserDisabled = async (db: Database, id: string, disabled: boolean): Promise<{ revoked: number }> => {
  const { users, sessions } = db.tables;
  const now = Date.now();
  await db.orm
    .update(users)
    .set({ disabledAt: disabled ? now : null })
    .where(eq(users.id, id));
  if (!disabled) {
    await identityChanged(db, { userIds: [id] });
    return { revoked: 0 };
  }
  const revoked = await db.orm
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.userId, id), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  await identityChanged(db, { userIds: [id], sessionIds: revoked.map((row) => row.id) });
  return { revoked: revoked.length };
};

/** Workspaces in which this user is the only owner: deleting the user would leave them without one. */
export const soleOwnerships = async (db: Database, id: string): Promise<string[]> => {
  const { workspaceMembers } = db.tables;
  const owned = await db.orm
    .select({ workspaceId: workspaceMembers.workspaceId })
    .from(workspaceMembers)
    .where(and(eq(workspaceMembers.userId, id), eq(workspaceMembers.role, "owner")));
  if (owned.length === 0) return [];
  const owners = await db.orm
    .select({ workspaceId: workspaceMembers.workspaceId, userId: workspaceMembers.userId })
    .from(workspaceMembers)
    .where(
      and(
        inArray(
          workspaceMembers.workspaceId,
          owned.map((row) => row.workspaceId),
        ),
        eq(workspaceMembers.role, "owner"),
      ),
    );
  return owned
    .map((row) => row.workspaceId)
    .filter((workspaceId) => owners.every((owner) => owner.workspaceId !== workspaceId || owner.userId === id));
};

/**
 * Deletes a user with their sessions, identities and memberships (the foreign keys cascade). Refused
 * while they are the only owner of a workspace: give it another owner, or delete it, first.
 */
export const deleteUser = async (db: Database, id: string): Promise<{ revoked: number }> => {
  const sole = await soleOwnerships(db, id);
  if (sole.length > 0) {
    throw conflict(`The user is the only owner of workspace(s) ${sole.join(", ")}: give each another owner or delete it first`, {
      path: id,
      details: { workspaces: sole },
    });
  }
  const { sessions, users } = db.tables;
  const live = await db.orm
    .select({ id: sessions.id })
    .from(sessions)
    .where(and(eq(sessions.userId, id), isNull(sessions.revokedAt)));
  await db.orm.delete(users).where(eq(users.id, id));
  await identityChanged(db, { userIds: [id], sessionIds: live.map((row) => row.id) });
  return { revoked: live.length };
};
