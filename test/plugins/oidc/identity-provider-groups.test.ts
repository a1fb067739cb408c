// Groups from a real OpenID provider: instance admins by group and workspace roles by group, kept in
// step at every sign-in, and never taken from a provider that isn't configured to be trusted with them.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { addMember, getRole } from "../../../core/identity/workspaces";
import { Browser } from "../../support/browser";
import { startTestProvider, type TestProvider } from "../../support/oidc-provider";
import { startTestRuntime, type TestRuntime } from "../../support/test-runtime";

const groupsOf = new Map<string, string[]>();
let provider: TestProvider;
let tessera: TestRuntime;
const WORKSPACE = "ws-groups";
const publicUrl = "http://localhost:3000";

const browserFor = () =>
  new Browser((request) =>
    new URL(request.url).origin === publicUrl ? tessera.runtime.app.handle(request) : fetch(request, { redirect: "manual" }),
  );

const signIn = async (login: string) => {
  const browser = browserFor();
  const start = await browser.request(`${publicUrl}/auth/login`);
  expect(start.status).toBe(302);
  const callback = await provider.signIn(browser, start.headers.get("location") ?? "", login);
  expect((await browser.request(callback)).status).toBe(303);
  const me = await browser.request(`${publicUrl}/me`);
  expect(me.status).toBe(200);
  return (await me.json()) as { user: { id: string }; isAdmin: boolean };
};

beforeAll(async () => {
  provider = await startTestProvider({
    redirectUri: `${publicUrl}/auth/callback`,
    account: (login) => ({ groups: groupsOf.get(login) }),
  });
  tessera = await startTestRuntime({
    server: { publicUrl },
    plugins: {
      oidc: {
        enabled: true,
        issuer: provider.issuer,
        clientId: provider.clientId,
        clientSecret: provider.clientSecret,
        scopes: ["openid", "email", "profile", "groups"],
        adminGroups: ["tessera-admins"],
        groupRoles: [
          { group: "editors", workspace: WORKSPACE, role: "member" },
          { group: "leads", workspace: WORKSPACE, role: "admin" },
          { group: "editors", workspace: "no-such-workspace", role: "member" },
        ],
      },
    },
  });
  const { db } = tessera.runtime;
  await db.orm.insert(db.tables.workspaces).values({ id: WORKSPACE, name: "Team", createdAt: Date.now() });
});

afterAll(async () => {
  await tessera?.close();
  await provider?.close();
});

describe("groups from the identity provider", () => {
  test("a member of an admin group is an instance admin, and stops being one when the group is taken away", async () => {
    groupsOf.set("alice", ["staff", "tessera-admins"]);
    expect((await signIn("alice")).isAdmin).toBe(true);
    groupsOf.set("alice", ["staff"]);
    expect((await signIn("alice")).isAdmin).toBe(false);
  });

  test("refuses admin to a group whose name only resembles an admin group", async () => {
    groupsOf.set("mallory", ["Tessera-Admins", "/tessera-admins", "tessera-admins "]);
    expect((await signIn("mallory")).isAdmin).toBe(false);
  });

  test("maps groups to workspace roles, the highest role winning, and removes the membership with the group", async () => {
    groupsOf.set("bob", ["editors"]);
    const { user } = await signIn("bob");
    expect(await getRole(tessera.runtime.db, WORKSPACE, user.id)).toBe("member");
    groupsOf.set("bob", ["editors", "leads"]);
    await signIn("bob");
    expect(await getRole(tessera.runtime.db, WORKSPACE, user.id)).toBe("admin");
    groupsOf.set("bob", []);
    await signIn("bob");
    expect(await getRole(tessera.runtime.db, WORKSPACE, user.id)).toBeNull();
  });

  test("never takes away a membership or admin right that was not granted by a group", async () => {
    groupsOf.set("carol", []);
    const { user } = await signIn("carol");
    await addMember(tessera.runtime.db, WORKSPACE, user.id, "viewer");
    await signIn("carol");
    expect(await getRole(tessera.runtime.db, WORKSPACE, user.id)).toBe("viewer");
  });
});

describe("groups from a provider not trusted with them", () => {
  test("ignores the groups claim when the provider has neither adminGroups nor groupRoles", async () => {
    const plain = await startTestRuntime({
      server: { publicUrl },
      plugins: {
        oidc: {
          enabled: true,
          issuer: provider.issuer,
          clientId: provider.clientId,
          clientSecret: provider.clientSecret,
          scopes: ["openid", "email", "profile", "groups"],
        },
      },
    });
    const saved = tessera;
    tessera = plain;
    try {
      groupsOf.set("dave", ["tessera-admins"]);
      expect((await signIn("dave")).isAdmin).toBe(false);
    } finally {
      tessera = saved;
      await plain.close();
    }
  });
});
