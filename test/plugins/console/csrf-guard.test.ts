// Once browsers use the JSON API with the session cookie, a change authenticated by that cookie alone
// must come from this site; other credentials are not ambient and pass.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TestRuntime } from "../../support/test-runtime";
import { SITE, signedInUser, startConsole } from "./console-runtime";

describe("the console's CSRF guard", () => {
  let runtime: TestRuntime;
  let cookie = "";
  let token = "";

  beforeAll(async () => {
    runtime = await startConsole();
    ({ cookie, token } = await signedInUser(runtime));
  });
  afterAll(() => runtime.close());

  const createWorkspace = (headers: Record<string, string>, body = JSON.stringify({ name: "Platform" })) =>
    runtime.request("/workspaces", {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });

  test("refuses a cookie-authenticated change from another origin, with a stable code", async () => {
    const response = await createWorkspace({ cookie, origin: "http://localhost:4000" });
    expect(response.status).toBe(403);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
    expect(await response.json()).toMatchObject({ code: "ERR_CONSOLE_CSRF" });
  });

  test("refuses a same-site form post: a urlencoded body would otherwise read as a workspace", async () => {
    const response = await runtime.request("/workspaces", {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-site" },
      body: "name=forged",
    });
    expect(response.status).toBe(403);
    expect((await response.json()).detail).toContain("same-site");
  });

  test("refuses a cookie-authenticated change that carries neither Origin nor Sec-Fetch-Site", async () => {
    expect((await createWorkspace({ cookie })).status).toBe(403);
  });

  test("lets the console's own requests through (Origin of the site, or Sec-Fetch-Site: same-origin)", async () => {
    expect((await createWorkspace({ cookie, origin: SITE })).status).toBe(201);
    expect((await createWorkspace({ cookie, "sec-fetch-site": "same-origin" })).status).toBe(201);
  });

  test("leaves bearer tokens and cookie-less requests alone", async () => {
    expect((await createWorkspace({ authorization: `Bearer ${token}`, origin: "http://elsewhere.test" })).status).toBe(201);
    expect((await createWorkspace({ origin: "http://elsewhere.test" })).status).toBe(401);
  });

  test("never checks safe methods", async () => {
    const me = await runtime.request("/me", { headers: { cookie, origin: "http://elsewhere.test" } });
    expect(me.status).toBe(200);
  });
});
