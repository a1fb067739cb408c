// Guests (users of a federation peer) in workspaces: the role their peer's share gives, only in the
// workspaces shared with it; members are unaffected. On every test dialect (migrations 0003 included).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Database } from "../../../core/db/database";
import { createUser } from "../../../core/identity/users";
import { createWorkspace, getRole, workspacesOf } from "../../../core/identity/workspaces";
import { testDialects } from "../../support/databases";

for (const { dialect, migrated } of await testDialects()) {
  describe(`guests in workspaces (${dialect})`, () => {
    let db: Database;
    beforeAll(async () => {
      db = await migrated();
    });
    afterAll(() => db.close());

    const share = (workspaceId: string, peerId: string, role: "member" | "viewer") =>
      db.orm.insert(db.tables.workspaceShares).values({ workspaceId, peerId, role, createdAt: Date.now() });

    test("a guest has its peer's share role in shared workspaces, and none elsewhere", async () => {
      const owner = await createUser(db, { email: `owner.${crypto.randomUUID()}@example.org` });
      const guest = await createUser(db, { name: "Ada (hub)", guestOf: "hub-1" });
      const other = await createUser(db, { name: "Eve (other)", guestOf: "other-peer" });
      const shared = await createWorkspace(db, "B shared", owner.id);
      const alsoShared = await createWorkspace(db, "A shared", owner.id);
      const private_ = await createWorkspace(db, "private", owner.id);
      await share(shared.id, "hub-1", "viewer");
      await share(alsoShared.id, "hub-1", "member");

      expect(await getRole(db, shared.id, guest.id)).toBe("viewer");
      expect(await getRole(db, alsoShared.id, guest.id)).toBe("member");
      expect(await getRole(db, private_.id, guest.id)).toBeNull();
      expect(await getRole(db, shared.id, other.id)).toBeNull();
      expect(await getRole(db, shared.id, owner.id)).toBe("owner");

      expect((await workspacesOf(db, guest)).map(({ name, role }) => [name, role])).toEqual([
        ["A shared", "member"],
        ["B shared", "viewer"],
      ]);
      expect(await workspacesOf(db, other)).toEqual([]);
      expect((await workspacesOf(db, owner)).map(({ name }) => name)).toEqual(["A shared", "B shared", "private"]);
    });
  });
}
