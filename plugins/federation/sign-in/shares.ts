// Workspaces shared with a federation peer: the peer's users who sign in here as guests get the
// share's role in that workspace, and see no other. Owners and admins share and unshare.

import { TesseraError } from "tessera/plugin";
import { and, asc, type Database, eq } from "tessera/plugin/db";
import { identityChanged } from "tessera/plugin/identity";

export type ShareRole = "member" | "viewer";

export interface Share {
  workspaceId: string;
  peerId: string;
  role: ShareRole;
  createdAt: number;
}

const isShareRole = (role: string): role is ShareRole => role === "member" || role === "viewer";

const toShare = (row: { workspaceId: string; peerId: string; role: string; createdAt: number }): Share => {
  if (!isShareRole(row.role)) throw new TesseraError("ERR_INTERNAL", `workspace_shares row has role "${row.role}"`);
  return { ...row, role: row.role };
};

/** Shares the workspace, or changes the role of an existing share. */
export const shareWorkspace = async (db: Database, workspaceId: string, peerId: string, role: ShareRole): Promise<Share> => {
  const { workspaceShares } = db.tables;
  const [row] = await db.orm
    .insert(workspaceShares)
    .values({ workspaceId, peerId, role, createdAt: Date.now() })
    .onConflictDoUpdate({ target: [workspaceShares.workspaceId, workspaceShares.peerId], set: { role } })
    .returning();
  if (!row) throw new TesseraError("ERR_INTERNAL", "Sharing a workspace returned no row");
  return toShare(row);
};

export const listShares = async (db: Database, workspaceId: string): Promise<Share[]> => {
  const { workspaceShares } = db.tables;
  const rows = await db.orm
    .select()
    .from(workspaceShares)
    .where(eq(workspaceShares.workspaceId, workspaceId))
    .orderBy(asc(workspaceShares.createdAt));
  return rows.map(toShare);
};

/** True when there was such a share; the peer's guests' live subscriptions to the workspace end at once. */
export const unshareWorkspace = async (db: Database, workspaceId: string, peerId: string): Promise<boolean> => {
  const { workspaceShares } = db.tables;
  const removed = await db.orm
    .delete(workspaceShares)
    .where(and(eq(workspaceShares.workspaceId, workspaceId), eq(workspaceShares.peerId, peerId)))
    .returning({ peerId: workspaceShares.peerId });
  if (removed.length > 0) await identityChanged(db, { unshared: [{ workspaceId, peerId }] });
  return removed.length > 0;
};

/** Ends every share with the peer (a returning peer starts from nothing); returns how many there were. */
export const unshareAll = async (db: Database, peerId: string): Promise<number> => {
  const { workspaceShares } = db.tables;
  const removed = await db.orm
    .delete(workspaceShares)
    .where(eq(workspaceShares.peerId, peerId))
    .returning({ workspaceId: workspaceShares.workspaceId });
  if (removed.length > 0) await identityChanged(db, { unshared: removed.map(({ workspaceId }) => ({ workspaceId, peerId })) });
  return removed.length;
};
