// Users: created by sign-in plugins (through identities.ts) and the CLI; looked up by id or email.
import { eq } from "drizzle-orm";
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
  name: users.name,
  isAdmin: users.isAdmin,
  guestOf: users.guestOf,
  createdAt: users.createdAt,
});

export interface NewUser {
  email?: string | null;
  name?: string | null;
  isAdmin?: boolean;
  guestOf?: string | null;
}

export const emailTaken = (email: string) =>
  conflict("Another user already has this email address", { path: "email", details: { email } });

/** Inserts a user through `orm` (the database or a transaction). */
export const insertUser = async (orm: Orm, tables: Tables, input: NewUser): Promise<User> => {
  const email = input.email ? normalizeEmail(input.email) : null;
  const [user] = await orm
    .insert(tables.users)
    .values({
      id: crypto.randomUUID(),
      email,
      name: input.name ?? null,
      isAdmin: input.isAdmin ?? false,
      guestOf: input.guestOf ?? null,
      createdAt: Date.now(),
    })
    // The id is fresh, so the only constraint that can stop this insert is the unique email.
    .onConflictDoNothing()
    .returning(userColumns(tables));
  if (!user) throw emailTaken(email ?? "");
  return user;
};

export const createUser = (db: Database, input: NewUser): Promise<User> => insertUser(db.orm, db.tables, input);

export const findUserById = async (db: Database, id: string): Promise<User | null> => {
  const [user] = await db.orm.select(userColumns(db.tables)).from(db.tables.users).where(eq(db.tables.users.id, id)).limit(1);
  return user ?? null;
};

export const findUserByEmail = async (db: Database, email: string): Promise<User | null> => {
  const { users } = db.tables;
  const [user] = await db.orm
    .select(userColumns(db.tables))
    .from(users)
    .where(eq(users.email, normalizeEmail(email)))
    .limit(1);
  return user ?? null;
};

/** Changes a user's email or name; sessions cached in memory pick the change up at once. */
export const updateUser = async (
  db: Database,
  id: string,
  changes: { email?: string | null; name?: string | null },
): Promise<User | null> => {
  const [user] = await db.orm
    .update(db.tables.users)
    .set(changes)
    .where(eq(db.tables.users.id, id))
    .returning(userColumns(db.tables));
  await identityChanged(db, { userIds: [id] });
  return user ?? null;
};
