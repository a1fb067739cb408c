// Signing in to the console with a session token from `tessera sessions create` (no identity
// provider needed), and signing out of it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TestRuntime } from "../../support/test-runtime";
import { SITE, signedInUser, startConsole } from "./console-runtime";

describe("session-token sign-in", () => {
  let runtime: TestRuntime;
  let token = "";

  beforeAll(async () => {
    runtime = await startConsole();
    ({ token } = await signedInUser(runtime));
  });
  afterAll(() => runtime.close());

  const post = (path: string, body: string, headers: Record<string, string> = { origin: SITE }) =>
    runtime.request(path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body,
    });

  test("turns a valid token into an HttpOnly, SameSite=Lax session cookie that ends with the session", async () => {
    const response = await post("/console/session", `token=${token}`);
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/");
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toStartWith(`tessera_session=${token}; Path=/; Max-Age=`);
    expect(cookie).toContain("HttpOnly; SameSite=Lax");
    expect(cookie).not.toContain("Secure");
    const maxAge = Number(/Max-Age=(\d+)/.exec(cookie)?.[1]);
    expect(maxAge).toBeGreaterThan(3500);
    expect(maxAge).toBeLessThanOrEqual(3600);
    const me = await runtime.request("/me", { headers: { cookie: `tessera_session=${token}` } });
    expect((await me.json()).user.email).toBe("ada@example.com");
  });

  test("sends an unknown token back to the page with a reason, clearing any cookie", async () => {
    const response = await post("/console/session", "token=tss_not-a-real-token");
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/?signin=unknown-token");
    expect(response.headers.get("set-cookie")).toContain("Max-Age=0");
  });

  test("refuses a token posted from another site, so no one is signed in as someone else", async () => {
    const response = await post("/console/session", `token=${token}`, { origin: "http://evil.test" });
    expect(response.status).toBe(403);
    expect(response.headers.get("set-cookie")).toBeNull();
  });

  test("sign-out revokes the session and clears the cookie", async () => {
    const { token: other } = await signedInUser(runtime, "bob@example.com");
    const cookie = `tessera_session=${other}`;
    const response = await runtime.request("/console/sign-out", { method: "POST", headers: { cookie, origin: SITE } });
    expect(response.status).toBe(303);
    expect(response.headers.get("set-cookie")).toContain("tessera_session=; Path=/; Max-Age=0");
    expect((await runtime.request("/me", { headers: { authorization: `Bearer ${other}` } })).status).toBe(401);
  });

  test("sign-out from another site is refused and the session lives on", async () => {
    const { token: other } = await signedInUser(runtime, "carol@example.com");
    const response = await runtime.request("/console/sign-out", {
      method: "POST",
      headers: { cookie: `tessera_session=${other}`, origin: "http://evil.test" },
    });
    expect(response.status).toBe(403);
    expect((await runtime.request("/me", { headers: { authorization: `Bearer ${other}` } })).status).toBe(200);
  });
});
