// Users: created by sign-in plugins (through identities.ts) and the CLI; looked up by id or verified email.
import { and, eq } from "drizzle-orm";
import type { Database, Orm } from "../db/database";
import type { Tables } from "../db/schema/tables";
import { conflict } from "../errors/tessera-error";
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

/** An operator's user (`tessera users create`): the operator vouches for its email unless told otherwise. */
export const createUser = (db: Database, input: NewUser): Promise<User> =>
  insertUser(db.orm, db.tables, { ...input, emailVerified: input.emailVerified ?? true });

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
}

/** Changes a user's email or name; sessions cached in memory pick the change up at once. */
export const updateUser = async (db: Database, id: string, changes: UserChanges): Promise<User | null> => {
  const [user] = await db.orm
    .update(db.tables.users)
    .set(changes)
    .where(eq(db.tables.users.id, id))
    .returning(userColumns(db.tables));
  await identityChanged(db, { userIds: [id] });
  return user ?? null;
};
