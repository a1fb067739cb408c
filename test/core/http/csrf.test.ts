// Attack: with the console off, a page on another origin posted a form with the visitor's session
// cookie and created a workspace. The CSRF check lives in core now, whichever plugins are enabled.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createSession } from "../../../core/identity/sessions";
import { createUser } from "../../../core/identity/users";
import { startTestRuntime, type TestRuntime } from "../../support/test-runtime";

const SITE = "http://localhost:3000";

describe("the core CSRF check", () => {
  let t: TestRuntime;
  let cookie = "";
  let token = "";
  const workspaces = async () => (await t.runtime.db.orm.select().from(t.runtime.db.tables.workspaces)).length;

  beforeAll(async () => {
    t = await startTestRuntime({ server: { publicUrl: SITE, allowedOrigins: [SITE, "https://console.example.com"] } });
    const user = await createUser(t.runtime.db, { email: "ada@example.com" });
    token = (await createSession(t.runtime.db, user.id, { ttlMs: 3_600_000 })).token;
    cookie = `tessera_session=${token}`;
  });
  afterAll(() => t.close());

  const post = (headers: Record<string, string>, body = JSON.stringify({ name: "Platform" })) =>
    t.request("/workspaces", { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

  test("refuses a cross-site form post that carries the session cookie, with the console off", async () => {
    const before = await workspaces();
    const response = await post(
      { cookie, origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" },
      "name=forged",
    );
    expect(response.status).toBe(403);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(await response.json()).toMatchObject({ code: "ERR_CSRF" });
    expect(await workspaces()).toBe(before);
  });

  test("refuses a cookie-authenticated JSON change from an origin not in server.allowedOrigins", async () => {
    for (const origin of ["https://evil.example", "http://localhost:4000", "null", "http://localhost:3000.evil.example"]) {
      const response = await post({ cookie, origin });
      expect(response.status).toBe(403);
      expect((await response.json()).code).toBe("ERR_CSRF");
    }
  });

  test("refuses Sec-Fetch-Site other than same-origin when there is no Origin", async () => {
    for (const site of ["cross-site", "same-site", "none"]) {
      const response = await post({ cookie, "sec-fetch-site": site });
      expect(response.status).toBe(403);
      expect((await response.json()).detail).toContain(site);
    }
  });

  test("refuses form, multipart and text/plain bodies on a cookie request that names no origin at all", async () => {
    const before = await workspaces();
    const form = new FormData();
    form.set("name", "forged");
    const bodies: RequestInit[] = [
      { headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, body: "name=forged" },
      { headers: { cookie, "content-type": "text/plain;charset=UTF-8" }, body: '{"name":"forged"}' },
      { headers: { cookie }, body: form },
    ];
    for (const init of bodies) {
      const response = await t.request("/workspaces", { method: "POST", ...init });
      expect(response.status).toBe(415);
      expect((await response.json()).code).toBe("ERR_UNSUPPORTED_MEDIA_TYPE");
    }
    expect(await workspaces()).toBe(before);
  });

  test("accepts the site's own requests: an allowed Origin (any of them, any letter case) or Sec-Fetch-Site: same-origin", async () => {
    expect((await post({ cookie, origin: SITE })).status).toBe(201);
    expect((await post({ cookie, origin: "https://CONSOLE.example.com" })).status).toBe(201);
    expect((await post({ cookie, "sec-fetch-site": "same-origin" })).status).toBe(201);
  });

  test("accepts a JSON change with the cookie and neither Origin nor Sec-Fetch-Site: not a browser", async () => {
    expect((await post({ cookie })).status).toBe(201);
  });

  test("leaves bearer tokens, cookie-less requests and safe methods alone", async () => {
    expect((await post({ authorization: `Bearer ${token}`, cookie, origin: "https://evil.example" })).status).toBe(201);
    expect((await post({ origin: "https://evil.example" })).status).toBe(401);
    const me = await t.request("/me", { headers: { cookie, origin: "https://evil.example" } });
    expect(me.status).toBe(200);
  });
});
