// Federated sign-in with two real instances: a user of the hub signs in to the spoke through the hub,
// which returns a signed assertion; the spoke makes them a guest who sees only the workspaces shared
// with the hub, and suspending the hub ends their sessions. Then the adversarial cases, with
// assertions forged from the hub's own key (read from its database) or from keys it does not hold.
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { CompactSign, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK } from "jose";
import { Browser } from "../support/browser";
import { type Instance, startFederatedPair, stopPair } from "../support/federated-pair";

const now = () => Math.floor(Date.now() / 1000);

describe("federated sign-in between two instances", () => {
  let hub: Instance;
  let spoke: Instance;
  let ada: string;
  let shared: string;
  let unshared: string;
  let hubKey: { kid: string; key: CryptoKey };

  beforeAll(async () => {
    ({ hub, spoke } = await startFederatedPair());
    ada = await hub.token("ada@hub.example", "Ada Lovelace");
    shared = (await (await spoke.call("POST", "/workspaces", spoke.admin, { name: "shared with hub" })).json()).id;
    unshared = (await (await spoke.call("POST", "/workspaces", spoke.admin, { name: "spoke only" })).json()).id;
    const share = await spoke.call("POST", `/workspaces/${shared}/shares`, spoke.admin, { peerId: hub.id, role: "viewer" });
    expect(share.status).toBe(201);
    const db = new Database(join(hub.served.dir, "hub.db"), { readonly: true });
    const row = db.query("select value from kv where key = 'federation:keys'").get() as { value: string };
    db.close();
    const [stored] = JSON.parse(row.value);
    hubKey = { kid: stored.kid, key: (await importJWK(stored.privateJwk, "EdDSA")) as CryptoKey };
  }, 30_000);

  afterAll(() => stopPair({ hub, spoke }));

  /** A browser signed in at the hub as Ada. */
  const adaBrowser = () => {
    const browser = new Browser();
    browser.setCookie(hub.url, "tessera_session", ada);
    return browser;
  };

  /** Starts a sign-in at the spoke; returns where it sends the browser (the hub) and its state and nonce. */
  const begin = async (browser: Browser) => {
    const start = await browser.request(`${spoke.url}/auth/federated/${hub.id}?returnTo=/me`);
    expect(start.status).toBe(302);
    const location = new URL(start.headers.get("location") ?? "");
    return { location, state: location.searchParams.get("state") ?? "", nonce: location.searchParams.get("nonce") ?? "" };
  };

  const callback = (browser: Browser, state: string, assertion: string) =>
    browser.request(`${spoke.url}/auth/federated/${hub.id}/callback?${new URLSearchParams({ state, assertion })}`);

  const forge = (claims: Record<string, unknown>, signer = hubKey, typ = "tessera-assertion+jwt") => {
    const iat = now();
    const payload = { iss: hub.id, aud: spoke.id, sub: "forged-user", jti: crypto.randomUUID(), iat, exp: iat + 60, ...claims };
    return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: "EdDSA", typ, kid: signer.kid })
      .sign(signer.key);
  };

  const refused = async (response: Response, reason: string) => {
    expect(response.status).toBe(401);
    const body = await response.json();
    expect(body).toMatchObject({ code: "ERR_FED_ASSERTION" });
    expect(JSON.stringify(body)).toContain(reason);
    expect(response.headers.getSetCookie().some((cookie) => cookie.startsWith("tessera_session="))).toBe(false);
  };

  test("a hub user signs in through the hub and becomes a guest who sees only the workspaces shared with it", async () => {
    const browser = adaBrowser();
    const { location } = await begin(browser);
    expect(location.origin).toBe(hub.url);
    const atHub = await browser.request(location);
    expect(atHub.status).toBe(303);
    const back = new URL(atHub.headers.get("location") ?? "");
    expect(back.origin + back.pathname).toBe(`${spoke.url}/auth/federated/${hub.id}/callback`);
    const landed = await browser.request(back);
    expect(landed.status).toBe(303);
    expect(landed.headers.get("location")).toBe("/me");

    const me = await (await browser.request(`${spoke.url}/me`)).json();
    expect(me.user).toMatchObject({ email: null, name: "Ada Lovelace (hub)", guestOf: hub.id });
    expect(me.isAdmin).toBe(false);
    expect(me.workspaces.map((workspace: { id: string }) => workspace.id)).toEqual([shared]);
    expect((await browser.request(`${spoke.url}/workspaces/${shared}`)).status).toBe(200);

    // The same assertion again (a replayed callback) finds its sign-in completed.
    await refused(await browser.request(back), "state");
  });

  test("a guest gets 404 for a workspace not shared with its peer, and can't make one of its own", async () => {
    const browser = adaBrowser();
    const { location } = await begin(browser);
    const atHub = await browser.request(location);
    await browser.request(atHub.headers.get("location") ?? "");
    expect((await browser.request(`${spoke.url}/workspaces/${unshared}`)).status).toBe(404);
    expect((await browser.request(`${spoke.url}/workspaces/${unshared}/members`)).status).toBe(404);
    const made = await browser.request(`${spoke.url}/workspaces`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: spoke.url },
      body: JSON.stringify({ name: "mine" }),
    });
    expect(made.status).toBe(403);
    const guestId = (await (await browser.request(`${spoke.url}/me`)).json()).user.id;
    const added = await spoke.call("POST", `/workspaces/${unshared}/members`, spoke.admin, { userId: guestId, role: "member" });
    expect(added.status).toBe(409);
  });

  test("the hub asks a browser not signed in there to sign in first", async () => {
    const browser = new Browser();
    const { location } = await begin(browser);
    const atHub = await browser.request(location);
    expect(atHub.status).toBe(303);
    expect(atHub.headers.get("location")).toStartWith("/auth/login?returnTo=%2Ffederation%2Fv1%2Fsign-in");
  });

  test("a forged assertion with every claim right is accepted (the forging is sound)", async () => {
    const browser = new Browser();
    const { state, nonce } = await begin(browser);
    expect((await callback(browser, state, await forge({ nonce }))).status).toBe(303);
  });

  test("an assertion for another audience is refused", async () => {
    const browser = new Browser();
    const { state, nonce } = await begin(browser);
    await refused(await callback(browser, state, await forge({ nonce, aud: "another-instance" })), "audience");
  });

  test("an assertion issued in another instance's name is refused", async () => {
    const browser = new Browser();
    const { state, nonce } = await begin(browser);
    await refused(await callback(browser, state, await forge({ nonce, iss: "another-instance" })), "issuer");
  });

  test("an expired assertion, or one that lives longer than two minutes, is refused", async () => {
    const expired = new Browser();
    const first = await begin(expired);
    await refused(
      await callback(expired, first.state, await forge({ nonce: first.nonce, iat: now() - 50, exp: now() - 5 })),
      "expired",
    );
    const long = new Browser();
    const second = await begin(long);
    await refused(await callback(long, second.state, await forge({ nonce: second.nonce, exp: now() + 600 })), "lifetime");
  });

  test("a replayed assertion (its jti used before) is refused", async () => {
    const jti = crypto.randomUUID();
    const first = new Browser();
    const one = await begin(first);
    expect((await callback(first, one.state, await forge({ nonce: one.nonce, jti }))).status).toBe(303);
    const second = new Browser();
    const two = await begin(second);
    await refused(await callback(second, two.state, await forge({ nonce: two.nonce, jti })), "replayed");
  });

  test("an assertion signed by a key the spoke has not pinned for the hub is refused", async () => {
    const { privateKey, publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
    const kid = await calculateJwkThumbprint(await exportJWK(publicKey));
    const browser = new Browser();
    const one = await begin(browser);
    await refused(await callback(browser, one.state, await forge({ nonce: one.nonce }, { kid, key: privateKey })), "unknown_key");
    // The hub's kid on another key does not verify.
    const two = await begin(browser);
    await refused(
      await callback(browser, two.state, await forge({ nonce: two.nonce }, { kid: hubKey.kid, key: privateKey })),
      "signature",
    );
  });

  test("a federation message is not an assertion", async () => {
    const browser = new Browser();
    const { state, nonce } = await begin(browser);
    await refused(await callback(browser, state, await forge({ nonce }, hubKey, "tessera-fed+jwt")), "malformed");
  });

  test("an assertion whose nonce does not match the sign-in is refused", async () => {
    const browser = new Browser();
    const { state } = await begin(browser);
    await refused(await callback(browser, state, await forge({ nonce: "another-sign-in-nonce-0123456789" })), "nonce");
  });

  test("a callback in another browser than the one that started the sign-in is refused", async () => {
    const { state, nonce } = await begin(new Browser());
    await refused(await callback(new Browser(), state, await forge({ nonce })), "browser");
  });

  test("suspending the hub ends its guests' sessions at once and refuses new sign-ins", async () => {
    const browser = adaBrowser();
    const { location } = await begin(browser);
    const back = (await browser.request(location)).headers.get("location") ?? "";
    await browser.request(back);
    expect((await browser.request(`${spoke.url}/me`)).status).toBe(200);

    // A sign-in already under way when the suspension lands.
    const pending = new Browser();
    const underway = await begin(pending);

    expect((await spoke.call("POST", `/federation/peers/${hub.id}/suspend`, spoke.admin)).status).toBe(200);
    expect((await browser.request(`${spoke.url}/me`)).status).toBe(401);
    const start = await new Browser().request(`${spoke.url}/auth/federated/${hub.id}`);
    expect(start.status).toBe(403);
    expect(await start.json()).toMatchObject({ code: "ERR_FED_PEER" });
    const late = await callback(pending, underway.state, await forge({ nonce: underway.nonce }));
    expect(late.status).toBe(403);
    expect(await late.json()).toMatchObject({ code: "ERR_FED_PEER" });

    expect((await spoke.call("POST", `/federation/peers/${hub.id}/accept`, spoke.admin)).status).toBe(200);
  });

  test("disconnecting the hub ends its guests' sessions at once", async () => {
    const browser = adaBrowser();
    const { location } = await begin(browser);
    await browser.request((await browser.request(location)).headers.get("location") ?? "");
    expect((await browser.request(`${spoke.url}/me`)).status).toBe(200);
    expect((await spoke.call("POST", `/federation/peers/${hub.id}/disconnect`, spoke.admin)).status).toBe(200);
    expect((await browser.request(`${spoke.url}/me`)).status).toBe(401);
    expect((await new Browser().request(`${spoke.url}/auth/federated/${hub.id}`)).status).toBe(403);
  });
});
