import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { WorkspaceEvent } from "../../../core/events/event-bus";
import { createSession, revokeSession } from "../../../core/identity/sessions";
import { createUser } from "../../../core/identity/users";
import { testDatabaseUrls } from "../../support/databases";
import { startTestRuntime, type TestRuntime } from "../../support/test-runtime";

for (const { dialect, create } of await testDatabaseUrls()) {
  describe(`workspaces and membership (${dialect})`, () => {
    let t: TestRuntime;
    let drop: () => Promise<void>;
    const tokens: Record<string, string> = {};
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      const database = await create();
      drop = database.drop;
      t = await startTestRuntime({ database: { url: database.url }, admins: ["ops@example.com"], plugins: {} });
      for (const name of ["owner", "admin", "member", "viewer", "stranger", "ops"]) {
        const user = await createUser(t.runtime.db, { email: `${name}@example.com`, name });
        ids[name] = user.id;
        tokens[name] = (await createSession(t.runtime.db, user.id, { ttlMs: 60_000 })).token;
      }
    });
    afterAll(async () => {
      await t.close();
      await drop();
    });

    const as = (who: string, method = "GET", body?: unknown): RequestInit => ({
      method,
      headers: { authorization: `Bearer ${tokens[who]}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

    test("GET /me needs a session and shows the user, admin flag and workspaces", async () => {
      expect((await t.request("/me")).status).toBe(401);
      expect((await t.request("/me", { headers: { authorization: "Bearer tss_forged" } })).status).toBe(401);
      const me = await (await t.request("/me", as("ops"))).json();
      expect(me).toMatchObject({ user: { email: "ops@example.com" }, isAdmin: true, via: "session", workspaces: [] });
      expect((await (await t.request("/me", as("owner"))).json()).isAdmin).toBe(false);
    });

    test("the session cookie authenticates like the bearer token", async () => {
      const response = await t.request("/me", { headers: { cookie: `other=1; tessera_session=${tokens.owner}` } });
      expect(response.status).toBe(200);
    });

    let workspaceId = "";
    test("creating a workspace makes its creator the owner", async () => {
      const response = await t.request("/workspaces", as("owner", "POST", { name: "Platform" }));
      expect(response.status).toBe(201);
      const workspace = await response.json();
      expect(workspace).toMatchObject({ name: "Platform", role: "owner" });
      workspaceId = workspace.id;
      const list = await (await t.request("/workspaces", as("owner"))).json();
      expect(list.workspaces).toEqual([expect.objectContaining({ id: workspaceId, role: "owner" })]);
    });

    test("rejects unknown fields and empty names with 422", async () => {
      expect((await t.request("/workspaces", as("owner", "POST", { name: "" }))).status).toBe(422);
      expect((await t.request("/workspaces", as("owner", "POST", { name: "x", extra: true }))).status).toBe(422);
    });

    test("owners add members by email with a role; duplicates conflict; unknown users are 404", async () => {
      for (const role of ["admin", "member", "viewer"]) {
        const response = await t.request(
          `/workspaces/${workspaceId}/members`,
          as("owner", "POST", { email: `${role}@example.com`, role }),
        );
        expect(response.status).toBe(201);
      }
      expect(
        (
          await t.request(
            `/workspaces/${workspaceId}/members`,
            as("owner", "POST", { email: "member@example.com", role: "member" }),
          )
        ).status,
      ).toBe(409);
      expect(
        (
          await t.request(
            `/workspaces/${workspaceId}/members`,
            as("owner", "POST", { email: "nobody@example.com", role: "member" }),
          )
        ).status,
      ).toBe(404);
      expect(
        (await t.request(`/workspaces/${workspaceId}/members`, as("owner", "POST", { email: "x@example.com", role: "emperor" })))
          .status,
      ).toBe(422);
    });

    test("members and viewers can read but not manage; admins can't make owners", async () => {
      expect((await t.request(`/workspaces/${workspaceId}/members`, as("viewer"))).status).toBe(200);
      expect(
        (
          await t.request(
            `/workspaces/${workspaceId}/members`,
            as("member", "POST", { email: "stranger@example.com", role: "viewer" }),
          )
        ).status,
      ).toBe(403);
      expect(
        (
          await t.request(
            `/workspaces/${workspaceId}/members`,
            as("admin", "POST", { email: "stranger@example.com", role: "owner" }),
          )
        ).status,
      ).toBe(403);
    });

    test("a non-member gets 404 for the workspace, so ids can't be probed", async () => {
      const known = await t.request(`/workspaces/${workspaceId}`, as("stranger"));
      const unknown = await t.request("/workspaces/00000000-0000-0000-0000-000000000000", as("stranger"));
      expect(known.status).toBe(404);
      expect(unknown.status).toBe(404);
      expect((await known.json()).detail).toBe((await unknown.json()).detail);
    });

    test("removing a member publishes member.removed and takes effect at once", async () => {
      const seen: WorkspaceEvent[] = [];
      const unsubscribe = t.runtime.events.subscribe(workspaceId, (event) => seen.push(event));
      const response = await t.request(`/workspaces/${workspaceId}/members/${ids.member}`, as("admin", "DELETE"));
      expect(response.status).toBe(204);
      unsubscribe();
      expect(seen.map((event) => [event.event, event.data])).toEqual([["member.removed", { userId: ids.member }]]);
      expect((await t.request(`/workspaces/${workspaceId}`, as("member"))).status).toBe(404);
    });

    test("an admin can't remove an owner; the last owner can't leave", async () => {
      expect((await t.request(`/workspaces/${workspaceId}/members/${ids.owner}`, as("admin", "DELETE"))).status).toBe(403);
      const leave = await t.request(`/workspaces/${workspaceId}/members/${ids.owner}`, as("owner", "DELETE"));
      expect(leave.status).toBe(409);
    });

    test("malformed ids are a 422, never a database error", async () => {
      for (const path of ["/workspaces/%00", "/workspaces/a%00b/members", `/workspaces/${"x".repeat(65)}`]) {
        expect((await t.request(path, as("owner"))).status).toBe(422);
      }
      expect((await t.request(`/workspaces/${workspaceId}/members/%00`, as("owner", "DELETE"))).status).toBe(422);
    });

    test("a revoked session stops working at once", async () => {
      const user = await createUser(t.runtime.db, { email: `revoked-${dialect}@example.com` });
      const { token, session } = await createSession(t.runtime.db, user.id, { ttlMs: 60_000 });
      expect((await t.request("/me", { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      await revokeSession(t.runtime.db, session.id);
      expect((await t.request("/me", { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    });
  });
}
