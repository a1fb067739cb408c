import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Database } from "../../../core/db/database";
import type { User } from "../../../core/identity/types";
import { createUser } from "../../../core/identity/users";
import {
  addMember,
  createWorkspace,
  getRole,
  getWorkspace,
  listMembers,
  listWorkspacesForUser,
  removeMember,
  setRole,
} from "../../../core/identity/workspaces";
import { testDialects } from "../../support/databases";

for (const { dialect, migrated } of await testDialects()) {
  describe(`workspaces (${dialect})`, () => {
    let db: Database;
    const person = (name: string): Promise<User> => createUser(db, { email: `${name}.${crypto.randomUUID()}@example.org`, name });
    beforeAll(async () => {
      db = await migrated();
    });
    afterAll(() => db.close());

    test("makes the creator the owner", async () => {
      const owner = await person("owner");
      const workspace = await createWorkspace(db, "Research", owner.id);
      expect(workspace).toMatchObject({ name: "Research" });
      expect(await getWorkspace(db, workspace.id)).toEqual(workspace);
      expect(await getRole(db, workspace.id, owner.id)).toBe("owner");
    });

    test("creates nothing for an unknown owner", async () => {
      await expect(createWorkspace(db, "Orphan", "no-such-user")).rejects.toMatchObject({ code: "ERR_NOT_FOUND" });
      const stranger = await person("stranger");
      expect(await listWorkspacesForUser(db, stranger.id)).toEqual([]);
    });

    test("lists a user's workspaces with their role in each, by name", async () => {
      const alice = await person("alice");
      const bob = await person("bob");
      const zeta = await createWorkspace(db, "Zeta", alice.id);
      const alpha = await createWorkspace(db, "Alpha", bob.id);
      await addMember(db, alpha.id, alice.id, "viewer");
      expect(await listWorkspacesForUser(db, alice.id)).toEqual([
        { ...alpha, role: "viewer" },
        { ...zeta, role: "owner" },
      ]);
    });

    test("adds members once and lists them with their users", async () => {
      const owner = await person("o");
      const member = await person("m");
      const workspace = await createWorkspace(db, "Team", owner.id);
      const membership = await addMember(db, workspace.id, member.id, "member");
      expect(membership).toMatchObject({ workspaceId: workspace.id, userId: member.id, role: "member" });
      await expect(addMember(db, workspace.id, member.id, "admin")).rejects.toMatchObject({ code: "ERR_CONFLICT" });
      const members = await listMembers(db, workspace.id);
      expect(members.map(({ user, role }) => [user.id, role])).toEqual(
        expect.arrayContaining([
          [owner.id, "owner"],
          [member.id, "member"],
        ]),
      );
      expect(members).toHaveLength(2);
      expect(members.find(({ userId }) => userId === member.id)?.user).toEqual(member);
    });

    test("says which of workspace or user is missing when adding", async () => {
      const owner = await person("o2");
      const workspace = await createWorkspace(db, "Real", owner.id);
      await expect(addMember(db, "no-such-workspace", owner.id, "member")).rejects.toMatchObject({
        code: "ERR_NOT_FOUND",
        message: "No such workspace",
      });
      await expect(addMember(db, workspace.id, "no-such-user", "member")).rejects.toMatchObject({
        code: "ERR_NOT_FOUND",
        message: "No such user",
      });
    });

    test("changes roles, and answers null for non-members", async () => {
      const owner = await person("o3");
      const member = await person("m3");
      const workspace = await createWorkspace(db, "Roles", owner.id);
      await addMember(db, workspace.id, member.id, "viewer");
      expect(await setRole(db, workspace.id, member.id, "admin")).toMatchObject({ role: "admin" });
      expect(await getRole(db, workspace.id, member.id)).toBe("admin");
      expect(await getRole(db, workspace.id, "someone-else")).toBeNull();
      await expect(setRole(db, workspace.id, "someone-else", "admin")).rejects.toMatchObject({ code: "ERR_NOT_FOUND" });
    });

    test("refuses to remove or demote the last owner, allows it once there is another", async () => {
      const first = await person("first");
      const second = await person("second");
      const workspace = await createWorkspace(db, "Owned", first.id);
      await expect(removeMember(db, workspace.id, first.id)).rejects.toMatchObject({ code: "ERR_CONFLICT" });
      await expect(setRole(db, workspace.id, first.id, "admin")).rejects.toMatchObject({ code: "ERR_CONFLICT" });
      expect(await getRole(db, workspace.id, first.id)).toBe("owner");

      await addMember(db, workspace.id, second.id, "owner");
      await removeMember(db, workspace.id, first.id);
      expect(await getRole(db, workspace.id, first.id)).toBeNull();
      await expect(removeMember(db, workspace.id, first.id)).rejects.toMatchObject({ code: "ERR_NOT_FOUND" });
    });

    test("two owners removing each other at once leave one owner", async () => {
      const a = await person("a");
      const b = await person("b");
      const workspace = await createWorkspace(db, "Race", a.id);
      await addMember(db, workspace.id, b.id, "owner");
      const results = await Promise.allSettled([removeMember(db, workspace.id, a.id), removeMember(db, workspace.id, b.id)]);
      expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
      const owners = (await listMembers(db, workspace.id)).filter(({ role }) => role === "owner");
      expect(owners).toHaveLength(1);
    });
  });
}
