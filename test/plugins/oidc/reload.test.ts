// SIGHUP with the oidc plugin in front of a real OpenID provider: what each sign-in reads changes for the
// next one; the client's registration and the providers themselves keep their start-up values and are
// logged as needing a restart; a value the plugin refuses changes nothing.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { Browser } from "../../support/browser";
import { startTestProvider, type TestProvider } from "../../support/oidc-provider";
import { logged, reloadWith } from "../../support/reload-runtime";
import { startTestRuntime, type TestRuntime } from "../../support/test-runtime";

const publicUrl = "http://localhost:3000";
// Outside any test's reach: a second provider that stays down, so only the first is ever used.
const DOWN_ISSUER = "http://127.0.0.1:9/";
const groupsOf = new Map<string, string[]>();
let provider: TestProvider;
let tessera: TestRuntime;
const logs: string[] = [];

const oidcWith = (settings: Record<string, unknown> = {}) => ({
  enabled: true,
  issuer: provider.issuer,
  clientId: provider.clientId,
  clientSecret: provider.clientSecret,
  scopes: ["openid", "email", "profile", "groups"],
  adminGroups: ["old-admins"],
  ...settings,
});

const configWith = (oidc: Record<string, unknown>) => ({
  server: { publicUrl },
  log: { level: "debug" },
  plugins: { oidc },
});

const browserFor = () =>
  new Browser((request) =>
    new URL(request.url).origin === publicUrl ? tessera.runtime.app.handle(request) : fetch(request, { redirect: "manual" }),
  );

const login = async (browser: Browser) => {
  const start = await browser.request(`${publicUrl}/auth/login`);
  expect(start.status).toBe(302);
  return new URL(start.headers.get("location") ?? "");
};

/** A whole sign-in; the callback's answer and who /me says the user is. */
const signIn = async (user: string) => {
  const browser = browserFor();
  const callback = await provider.signIn(browser, (await login(browser)).toString(), user);
  const landed = await browser.request(callback);
  expect(landed.status).toBe(303);
  const me = (await (await browser.request(`${publicUrl}/me`)).json()) as { isAdmin: boolean };
  return { landed, isAdmin: me.isAdmin };
};

const sessionMaxAge = (response: Response) =>
  /Max-Age=(\d+)/.exec(response.headers.getSetCookie().find((cookie) => cookie.startsWith("tessera_session=")) ?? "")?.[1];

beforeAll(async () => {
  provider = await startTestProvider({
    redirectUri: `${publicUrl}/auth/callback`,
    account: (name) => ({ groups: groupsOf.get(name) }),
  });
});

beforeEach(async () => {
  await tessera?.close();
  logs.length = 0;
  tessera = await startTestRuntime(configWith(oidcWith()), { logs });
});

afterAll(async () => {
  await tessera?.close();
  await provider?.close();
});

describe("reloading the oidc plugin", () => {
  test("admin groups, scopes and the session lifetime change for the next sign-in", async () => {
    groupsOf.set("alice", ["new-admins"]);
    const before = await signIn("alice");
    expect(before.isAdmin).toBe(false);
    expect(sessionMaxAge(before.landed)).toBe(String(12 * 3600));

    await reloadWith(
      tessera,
      configWith(oidcWith({ adminGroups: ["new-admins"], sessionTtl: "1h", scopes: ["openid", "email", "groups"] })),
    );
    expect((await login(browserFor())).searchParams.get("scope")).toBe("openid email groups");
    const after = await signIn("alice");
    expect(after.isAdmin).toBe(true);
    expect(sessionMaxAge(after.landed)).toBe("3600");
  });

  test("a lower loginsPerMinute applies to the next sign-in start", async () => {
    await reloadWith(tessera, configWith(oidcWith({ loginsPerMinute: 1 })));
    expect((await browserFor().request(`${publicUrl}/auth/login`)).status).toBe(302);
    expect((await browserFor().request(`${publicUrl}/auth/login`)).status).toBe(429);
  });

  test("scopes without openid refuse the whole file; the running settings stay", async () => {
    await reloadWith(tessera, configWith(oidcWith({ scopes: ["email"], adminGroups: ["new-admins"] })));
    const [failure] = logged(logs, "config reload failed: keeping the running config");
    expect(JSON.stringify(failure)).toContain("plugins.oidc.scopes");
    expect((await login(browserFor())).searchParams.get("scope")).toBe("openid email profile groups");
    groupsOf.set("bob", ["new-admins"]);
    expect((await signIn("bob")).isAdmin).toBe(false);
  });

  test("the client's registration needs a restart: it keeps its start-up values, the rest applies", async () => {
    await reloadWith(
      tessera,
      configWith(
        oidcWith({ clientId: "someone-else", redirectUri: "http://localhost:3000/other/callback", adminGroups: ["new-admins"] }),
      ),
    );
    const [restart] = logged(logs, "config change needs a restart to take effect");
    expect(restart?.paths).toEqual(["plugins.oidc.redirectUri", "plugins.oidc.clientId"]);
    const location = await login(browserFor());
    expect(location.searchParams.get("client_id")).toBe(provider.clientId);
    expect(location.searchParams.get("redirect_uri")).toBe(`${publicUrl}/auth/callback`);
    groupsOf.set("carol", ["new-admins"]);
    expect((await signIn("carol")).isAdmin).toBe(true);
  });

  test("with several providers, a display name reloads; a client id or a new provider needs a restart", async () => {
    const providers = (down: Record<string, unknown> = {}) => [
      { id: "main", name: "Main", issuer: provider.issuer, clientId: provider.clientId, clientSecret: provider.clientSecret },
      { id: "down", issuer: DOWN_ISSUER, clientId: "down", ...down },
    ];
    await tessera.close();
    tessera = await startTestRuntime(configWith({ enabled: true, providers: providers() }), { logs });
    const listed = async () =>
      (await (await tessera.request("/auth/providers")).json()).providers.map((p: { name: string }) => p.name);

    const renamed = providers({ name: "Partner", clientId: "down-2" });
    await reloadWith(tessera, configWith({ enabled: true, providers: renamed }));
    expect(await listed()).toEqual(["Main", "Partner"]);
    expect(logged(logs, "config change needs a restart to take effect").at(-1)?.paths).toEqual([
      "plugins.oidc.providers[1].clientId",
    ]);

    const added = [...renamed, { id: "third", issuer: "http://127.0.0.1:9/third/", clientId: "third" }];
    await reloadWith(tessera, configWith({ enabled: true, providers: added }));
    expect(await listed()).toEqual(["Main", "Partner"]);
    expect(logged(logs, "config change needs a restart to take effect").at(-1)?.paths).toEqual(["plugins.oidc.providers"]);
  });
});
