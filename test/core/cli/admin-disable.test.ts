// What `tessera users disable|delete` rest on, on each dialect: a disabled user's sessions are revoked
// through the normal revocation path (announced, so caches and live connections drop them), and no
// session, access token or new sign-in of theirs is accepted, even one that raced the disabling.
import { afterEach, describe, expect, test } from "bun:test";
import type { Database } from "../../../core/db/database";
import { findOrCreateUserByIdentity, findUserByIdentity } from "../../../core/identity/identities";
import { type IdentityChange, onIdentityChange } from "../../../core/identity/identity-changes";
import { createSession, findSessionByToken, hashSessionToken } from "../../../core/identity/sessions";
import { createUser, deleteUser, findUserRecord, setUserDisabled } from "../../../core/identity/users";
import { addMember, createWorkspace } from "../../../core/identity/workspaces";
import { testDialects } from "../../support/databases";

const open: Database[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) await db.close();
});

for (const { dialect, migrated } of await testDialects()) {
  const database = async () => {
    const db = await migrated();
    open.push(db);
    return db;
  };

  describe(`disabling and deleting users (${dialect})`, () => {
    test("disabling announces the user and every revoked session, as revocation does", async () => {
      const db = await database();
      const user = await createUser(db, { email: "eve@example.com" });
      const first = await createSession(db, user.id, { ttlMs: 60_000 });
      const second = await createSession(db, user.id, { ttlMs: 60_000 });
      const changes: IdentityChange[] = [];
      onIdentityChange(db, (change) => {
        changes.push(change);
      });
      expect(await setUserDisabled(db, user.id, true)).toEqual({ revoked: 2 });
      expect(changes).toHaveLength(1);
      expect(changes[0]?.userIds).toEqual([user.id]);
      expect([...(changes[0]?.sessionIds ?? [])].sort()).toEqual([first.session.id, second.session.id].sort());
      expect(await findSessionByToken(db, first.token)).toBeNull();
    });

    test("refuses a session created as the user was being disabled, and any new sign-in", async () => {
      const db = await database();
      const user = await createUser(db, { email: "race@example.com" });
      await setUserDisabled(db, user.id, true);
      // The sign-in that checked the user just before the disabling inserts its session just after.
      const { sessions } = db.tables;
      const token = `tss_${"r".repeat(43)}`;
      const now = Date.now();
      await db.orm.insert(sessions).values({
        id: crypto.randomUUID(),
        tokenHash: hashSessionToken(token),
        userId: user.id,
        expiresAt: now + 60_000,
        createdAt: now,
        lastSeenAt: now,
      });
      expect(await findSessionByToken(db, token)).toBeNull();
      await expect(createSession(db, user.id, { ttlMs: 60_000 })).rejects.toMatchObject({
        code: "ERR_FORBIDDEN",
        message: "This account is disabled",
      });
      await setUserDisabled(db, user.id, false);
      expect(await findSessionByToken(db, token)).not.toBeNull();
    });

    test("refuses a disabled user's identity-provider access tokens", async () => {
      const db = await database();
      const claims = { issuer: "https://idp.example.com", subject: "sub-1", email: "idp@example.com", emailVerified: true };
      const user = await findOrCreateUserByIdentity(db, claims);
      expect((await findUserByIdentity(db, claims.issuer, claims.subject))?.id).toBe(user.id);
      await setUserDisabled(db, user.id, true);
      expect(await findUserByIdentity(db, claims.issuer, claims.subject)).toBeNull();
    });

    test("refuses to delete the only owner of a workspace, and deletes once it has another owner", async () => {
      const db = await database();
      const owner = await createUser(db, { email: "owner@example.com" });
      const other = await createUser(db, { email: "other@example.com" });
      const workspace = await createWorkspace(db, "Team", owner.id);
      await addMember(db, workspace.id, other.id, "member");
      await expect(deleteUser(db, owner.id)).rejects.toMatchObject({
        code: "ERR_CONFLICT",
        message: `The user is the only owner of workspace(s) ${workspace.id}: give each another owner or delete it first`,
      });
      await db.orm.update(db.tables.workspaceMembers).set({ role: "owner" });
      const { token } = await createSession(db, owner.id, { ttlMs: 60_000 });
      expect(await deleteUser(db, owner.id)).toEqual({ revoked: 1 });
      expect(await findSessionByToken(db, token)).toBeNull();
      await expect(findUserRecord(db, owner.id)).rejects.toMatchObject({ code: "ERR_NOT_FOUND" });
    });
  });
}
