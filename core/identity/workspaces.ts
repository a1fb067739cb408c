// Workspaces, the unit of sharing, and their members. Creating one makes its creator the owner,
// atomically; a workspace always keeps an owner: demoting or removing the last one is a conflict,
// checked under a lock so two admins can't race past it. A guest (a federation peer's user) is never
// a member: it has the role its peer was given by a share, in shared workspaces only.
import { and, asc, count, eq, type Placeholder, sql } from "drizzle-orm";
import type { MaybePromise } from "../async/maybe-promise";
import type { Database, Orm } from "../db/database";
import { preparedPer, rowsOf } from "../db/prepared";
import type { Tables } from "../db/schema/tables";
import { transaction } from "../db/transaction";
import { conflict, notFound, TesseraError } from "../errors/tessera-error";
import { displayName } from "../text/display-name";
import type { Membership, Role, User, Workspace } from "./types";
import { findUserById, userColumns } from "./users";

const workspaceColumns = ({ workspaces }: Tables) => ({
  id: workspaces.id,
  name: workspaces.name,
  createdAt: workspaces.createdAt,
});

/** In characters (code points) of the NFC form. */
export const WORKSPACE_NAME_MAX = 100;

/** The name is stored NFC-normalised; one that breaks the display-name rules is ERR_VALIDATION. */
export const createWorkspace = async (db: Database, name: string, ownerUserId: string): Promise<Workspace> => {
  const normalised = displayName(name, WORKSPACE_NAME_MAX);
  return transaction(db, async (tx) => {
    const { users, workspaces, workspaceMembers } = db.tables;
    const [owner] = await tx.select({ id: users.id }).from(users).where(eq(users.id, ownerUserId)).limit(1);
    if (!owner) throw notFound("No such user", { path: ownerUserId });
    const createdAt = Date.now();
    const [workspace] = await tx
      .insert(workspaces)
      .values({ id: crypto.randomUUID(), name: normalised, createdAt })
      .returning(workspaceColumns(db.tables));
    if (!workspace) throw new TesseraError("ERR_INTERNAL", "Inserting a workspace returned no row");
    await tx.insert(workspaceMembers).values({ workspaceId: workspace.id, userId: ownerUserId, role: "owner", createdAt });
    return workspace;
  });
};

export const getWorkspace = async (db: Database, id: string): Promise<Workspace | null> => {
  const { workspaces } = db.tables;
  const [workspace] = await db.orm.select(workspaceColumns(db.tables)).from(workspaces).where(eq(workspaces.id, id)).limit(1);
  return workspace ?? null;
};

const workspacesOfUser = preparedPer((db: Database) => {
  const { workspaces, workspaceMembers } = db.tables;
  return db.orm
    .select({ ...workspaceColumns(db.tables), role: workspaceMembers.role })
    .from(workspaceMembers)
    .innerJoin(workspaces, eq(workspaces.id, workspaceMembers.workspaceId))
    .where(eq(workspaceMembers.userId, sql.placeholder("userId")))
    .orderBy(asc(workspaces.name), asc(workspaces.id))
    .prepare("tessera_workspaces_of_user");
});

/** The workspaces a user belongs to, with their role in each, by name; at once on SQLite. */
export const listWorkspacesForUser = (db: Database, userId: string): MaybePromise<(Workspace & { role: Role })[]> =>
  rowsOf(db, workspacesOfUser(db), { userId });

const membershipColumns = ({ workspaceMembers }: Tables) => ({
  workspaceId: workspaceMembers.workspaceId,
  userId: workspaceMembers.userId,
  role: workspaceMembers.role,
  createdAt: workspaceMembers.createdAt,
});

const isMember = (tables: Tables, workspaceId: string | Placeholder, userId: string | Placeholder) =>
  and(eq(tables.workspaceMembers.workspaceId, workspaceId), eq(tables.workspaceMembers.userId, userId));

// Every workspace route checks the caller's role, so this one is prepared too.
const roleOf = preparedPer((db: Database) =>
  db.orm
    .select({ role: db.tables.workspaceMembers.role })
    .from(db.tables.workspaceMembers)
    // (workspace, user) is the primary key; no .limit(1), which drizzle would bind as a slow parameter.
    .where(isMember(db.tables, sql.placeholder("workspaceId"), sql.placeholder("userId")))
    .prepare("tessera_role_of"),
);

// Asked only when there is no membership, so it costs nothing on the members' path.
const shareRoleOf = preparedPer((db: Database) => {
  const { users, workspaceShares } = db.tables;
  return db.orm
    .select({ role: workspaceShares.role })
    .from(users)
    .innerJoin(workspaceShares, eq(workspaceShares.peerId, users.guestOf))
    .where(and(eq(users.id, sql.placeholder("userId")), eq(workspaceShares.workspaceId, sql.placeholder("workspaceId"))))
    .prepare("tessera_share_role_of");
});

export const getRole = async (db: Database, workspaceId: string, userId: string): Promise<Role | null> => {
  const [row] = await roleOf(db).execute({ workspaceId, userId });
  if (row) return row.role;
  const [shared] = await shareRoleOf(db).execute({ workspaceId, userId });
  return shared?.role ?? null;
};

/** The workspaces shared with a peer, with the role its guests get, by name. */
export const listSharedWorkspaces = (db: Database, peerId: string): Promise<(Workspace & { role: Role })[]> => {
  const { workspaces, workspaceShares } = db.tables;
  return db.orm
    .select({ ...workspaceColumns(db.tables), role: workspaceShares.role })
    .from(workspaceShares)
    .innerJoin(workspaces, eq(workspaces.id, workspaceShares.workspaceId))
    .where(eq(workspaceShares.peerId, peerId))
    .orderBy(asc(workspaces.name), asc(workspaces.id));
};

/** What a user sees: a member's workspaces, or for a guest those shared with its peer. */
export const workspacesOf = (db: Database, user: User): MaybePromise<(Workspace & { role: Role })[]> =>
  user.guestOf === null ? listWorkspacesForUser(db, user.id) : listSharedWorkspaces(db, user.guestOf);

export const addMember = async (db: Database, workspaceId: string, userId: string, role: Role): Promise<Membership> => {
  let added: Membership | undefined;
  try {
    [added] = await db.orm
      .insert(db.tables.workspaceMembers)
      .values({ workspaceId, userId, role, createdAt: Date.now() })
      .onConflictDoNothing()
      .returning(membershipColumns(db.tables));
  } catch (error) {
    // Most likely a foreign key: say which one, or pass the failure on.
    if (!(await getWorkspace(db, workspaceId))) throw notFound("No such workspace", { path: workspaceId, cause: error });
    if (!(await findUserById(db, userId))) throw notFound("No such user", { path: userId, cause: error });
    throw error;
  }
  if (!added) throw conflict("Already a member of this workspace", { path: userId });
  return added;
};

/**
 * Within a transaction: the member's current role, after locking the workspace so that owner
 * counts stay true until commit (SQLite's BEGIN IMMEDIATE already serialises writers).
 */
const lockedRole = async (db: Database, tx: Orm, workspaceId: string, userId: string): Promise<Role> => {
  const { workspaces, workspaceMembers } = db.tables;
  if (db.dialect === "postgres") {
    await tx.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.id, workspaceId)).for("update");
  }
  const [row] = await tx
    .select({ role: workspaceMembers.role })
    .from(workspaceMembers)
    .where(isMember(db.tables, workspaceId, userId));
  if (!row) throw notFound("Not a member of this workspace", { path: userId });
  return row.role;
};

const refuseLastOwner = async (db: Database, tx: Orm, workspaceId: string, action: string) => {
  const { workspaceMembers } = db.tables;
  const [owners] = await tx
    .select({ n: count() })
    .from(workspaceMembers)
    .where(and(eq(workspaceMembers.workspaceId, workspaceId), eq(workspaceMembers.role, "owner")));
  if ((owners?.n ?? 0) <= 1) {
    throw conflict(`Cannot ${action} the last owner of a workspace; make someone else owner first`, { path: workspaceId });
  }
};

export const setRole = (db: Database, workspaceId: string, userId: string, role: Role): Promise<Membership> =>
  transaction(db, async (tx) => {
    const current = await lockedRole(db, tx, workspaceId, userId);
    if (current === "owner" && role !== "owner") await refuseLastOwner(db, tx, workspaceId, "demote");
    const [updated] = await tx
      .update(db.tables.workspaceMembers)
      .set({ role })
      .where(isMember(db.tables, workspaceId, userId))
      .returning(membershipColumns(db.tables));
    if (!updated) throw notFound("Not a member of this workspace", { path: userId });
    return updated;
  });

export const removeMember = (db: Database, workspaceId: string, userId: string): Promise<void> =>
  transaction(db, async (tx) => {
    const current = await lockedRole(db, tx, workspaceId, userId);
    if (current === "owner") await refuseLastOwner(db, tx, workspaceId, "remove");
    await tx.delete(db.tables.workspaceMembers).where(isMember(db.tables, workspaceId, userId));
  });

/** A workspace's members with their user records, oldest membership first. */
export const listMembers = async (db: Database, workspaceId: string): Promise<(Membership & { user: User })[]> => {
  const { users, workspaceMembers } = db.tables;
  const rows = await db.orm
    .select({ membership: membershipColumns(db.tables), user: userColumns(db.tables) })
    .from(workspaceMembers)
    .innerJoin(users, eq(users.id, workspaceMembers.userId))
    .where(eq(workspaceMembers.workspaceId, workspaceId))
    .orderBy(asc(workspaceMembers.createdAt), asc(workspaceMembers.userId));
  return rows.map(({ membership, user }) => ({ ...membership, user }));
};
