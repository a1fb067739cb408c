// Only a verified email counts, against two real OpenID providers: a staff provider trusted with emails
// (linkByEmail "verified") and a partner provider that is not. Each login's email, and whether the
// provider calls it verified, is set per test; attackers claim other people's addresses unverified.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createWorkspace } from "../../../core/identity/workspaces";
import { Browser } from "../../support/browser";
import { startTestProvider, type TestProvider } from "../../support/oidc-provider";
import { startTestRuntime, type TestRuntime } from "../../support/test-runtime";

interface Account {
  email?: string;
  emailVerified?: boolean;
}

const accounts = new Map<string, Account>();
let staff: TestProvider;
let partner: TestProvider;
let tessera: TestRuntime;
let handler: (request: Request) => Response | Promise<Response> = () => new Response("starting", { status: 503 });
const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (request) => handler(request) });
const publicUrl = `http://127.0.0.1:${server.port}`;

beforeAll(async () => {
  const client = { redirectUri: `${publicUrl}/auth/callback`, account: (login: string) => accounts.get(login) };
  staff = await startTestProvider({ ...client, clientId: "tessera-staff" });
  partner = await startTestProvider({ ...client, clientId: "tessera-partner" });
  tessera = await startTestRuntime({
    server: { publicUrl },
    admins: ["ops@example.test", "partner-ops@example.test", { issuer: staff.issuer, sub: "root" }],
    plugins: {
      oidc: {
        enabled: true,
        providers: [
          {
            id: "staff",
            issuer: staff.issuer,
            clientId: staff.clientId,
            clientSecret: staff.clientSecret,
            linkByEmail: "verified",
          },
          { id: "partner", issuer: partner.issuer, clientId: partner.clientId, clientSecret: partner.clientSecret },
        ],
      },
    },
  });
  handler = (request) => tessera.runtime.app.handle(request);
});

afterAll(async () => {
  await tessera?.close();
  await staff?.close();
  await partner?.close();
  server.stop(true);
});

const signIn = async (browser: Browser, id: "staff" | "partner", login: string) => {
  const start = await browser.request(`${publicUrl}/auth/login/${id}`);
  expect(start.status).toBe(302);
  const provider = id === "staff" ? staff : partner;
  return browser.request(await provider.signIn(browser, start.headers.get("location") ?? "", login));
};

interface Me {
  user: { id: string; email: string | null; emailVerified: boolean };
  isAdmin: boolean;
  workspaces: { id: string }[];
}

const me = async (browser: Browser): Promise<Me> => {
  const response = await browser.request(`${publicUrl}/me`);
  expect(response.status).toBe(200);
  return response.json();
};

describe("verified identity only", () => {
  test("refuses an account pre-hijack through an unverified email", async () => {
    accounts.set("mallory", { email: "victim@example.test", emailVerified: false });
    const attacker = new Browser();
    expect((await signIn(attacker, "staff", "mallory")).status).toBe(303);
    const squatter = await me(attacker);
    expect(squatter.user).toMatchObject({ email: "victim@example.test", emailVerified: false });

    // The owner of the address signs in later, verified: a user of their own, not the attacker's.
    const owner = new Browser();
    expect((await signIn(owner, "staff", "victim")).status).toBe(303);
    const victim = await me(owner);
    expect(victim.user).toMatchObject({ email: "victim@example.test", emailVerified: true });
    expect(victim.user.id).not.toBe(squatter.user.id);

    const workspace = await createWorkspace(tessera.runtime.db, "Victim's", victim.user.id);
    expect((await me(owner)).workspaces.map(({ id }) => id)).toContain(workspace.id);
    expect((await me(attacker)).workspaces.map(({ id }) => id)).not.toContain(workspace.id);
    expect((await attacker.request(`${publicUrl}/workspaces/${workspace.id}/members`)).status).toBe(404);
  });

  test("refuses instance admin through an unverified email", async () => {
    accounts.set("claimer", { email: "ops@example.test", emailVerified: false });
    const attacker = new Browser();
    expect((await signIn(attacker, "staff", "claimer")).status).toBe(303);
    const claimed = await me(attacker);
    expect(claimed.user).toMatchObject({ email: "ops@example.test", emailVerified: false });
    expect(claimed.isAdmin).toBe(false);
  });

  test("refuses instance admin through an unverified email at a provider whose linkByEmail is never", async () => {
    accounts.set("partner-claimer", { email: "partner-ops@example.test", emailVerified: false });
    const attacker = new Browser();
    expect((await signIn(attacker, "partner", "partner-claimer")).status).toBe(303);
    expect((await me(attacker)).isAdmin).toBe(false);
  });

  test("refuses instance admin to a provider not trusted with emails, even when it calls the email verified", async () => {
    accounts.set("partner-vouched", { email: "partner-ops@example.test", emailVerified: true });
    const attacker = new Browser();
    expect((await signIn(attacker, "partner", "partner-vouched")).status).toBe(303);
    const vouched = await me(attacker);
    expect(vouched.user.emailVerified).toBe(false);
    expect(vouched.isAdmin).toBe(false);
  });

  test("refuses instance admin through an email changed, unverified, at the provider later", async () => {
    accounts.set("eve", { email: "eve@example.test", emailVerified: true });
    const browser = new Browser();
    await signIn(browser, "staff", "eve");
    const before = await me(browser);
    expect(before.user).toMatchObject({ email: "eve@example.test", emailVerified: true });

    accounts.set("eve", { email: "ops@example.test", emailVerified: false });
    const again = new Browser();
    expect((await signIn(again, "staff", "eve")).status).toBe(303);
    const after = await me(again);
    expect(after.user.id).toBe(before.user.id);
    expect(after.user).toMatchObject({ email: "eve@example.test", emailVerified: true });
    expect(after.isAdmin).toBe(false);
  });

  test("an unverified claim squats no address: its owner still signs in at a provider that never links", async () => {
    accounts.set("squatter", { email: "carol@example.test", emailVerified: false });
    accounts.set("carol", { email: "carol@example.test", emailVerified: true });
    const attacker = new Browser();
    await signIn(attacker, "partner", "squatter");
    const owner = new Browser();
    expect((await signIn(owner, "staff", "carol")).status).toBe(303);
    const carol = await me(owner);
    expect(carol.user).toMatchObject({ email: "carol@example.test", emailVerified: true });
    expect(carol.user.id).not.toBe((await me(attacker)).user.id);
  });

  test("a verified email named in admins makes its user an administrator", async () => {
    accounts.set("ops", { email: "ops@example.test", emailVerified: true });
    const browser = new Browser();
    await signIn(browser, "staff", "ops");
    const ops = await me(browser);
    expect(ops.user.emailVerified).toBe(true);
    expect(ops.isAdmin).toBe(true);
  });

  test("an email that becomes verified at the provider is taken up at the next sign-in", async () => {
    accounts.set("dora", { email: "dora@example.test", emailVerified: false });
    const browser = new Browser();
    await signIn(browser, "staff", "dora");
    expect((await me(browser)).user.emailVerified).toBe(false);
    accounts.set("dora", { email: "dora@example.test", emailVerified: true });
    const again = new Browser();
    await signIn(again, "staff", "dora");
    expect((await me(again)).user).toMatchObject({ email: "dora@example.test", emailVerified: true });
  });

  test("an identity named in admins is an administrator from its first sign-in, whatever its email", async () => {
    accounts.set("root", { email: "root@example.test", emailVerified: false });
    const browser = new Browser();
    expect((await signIn(browser, "staff", "root")).status).toBe(303);
    expect((await me(browser)).isAdmin).toBe(true);
    // The same subject at another provider is another identity.
    const elsewhere = new Browser();
    await signIn(elsewhere, "partner", "root");
    expect((await me(elsewhere)).isAdmin).toBe(false);
  });
});
