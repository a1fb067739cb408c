// Every failed sign-in carries the request id that the error page asks the user to quote, in the
// response header, the problem body or the page, and in the log line, so support can find it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Harness, PUBLIC_URL, startHarness } from "./support/harness";

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({ oidc: { loginsPerMinute: 2 } });
});
afterAll(() => harness.close());

const get = (path: string, headers: Record<string, string> = {}) =>
  harness.tessera.runtime.app.handle(new Request(`${PUBLIC_URL}${path}`, { headers }));

const loggedWith = (id: string) => harness.logs.some((line) => line.includes(id));

describe("request ids on sign-in errors", () => {
  test("a failed callback's problem+json carries the request id of the response header, and the log has it", async () => {
    const response = await get("/auth/callback?state=nope&code=x");
    expect(response.status).toBe(400);
    const id = response.headers.get("x-request-id") ?? "";
    expect(id).not.toBe("");
    expect(await response.json()).toMatchObject({ code: "ERR_OIDC_STATE", requestId: id });
    expect(loggedWith(id)).toBe(true);
  });

  test("a failed callback's HTML page shows the request id it tells the user to quote", async () => {
    const response = await get("/auth/callback", { accept: "text/html" });
    const id = response.headers.get("x-request-id") ?? "";
    expect(id).not.toBe("");
    expect(await response.text()).toContain(`request ${id}`);
  });

  test("an unknown provider's sign-in link carries the request id", async () => {
    const response = await get("/auth/login/nobody");
    expect(response.status).toBe(404);
    const id = response.headers.get("x-request-id") ?? "";
    expect(id).not.toBe("");
    expect(await response.json()).toMatchObject({ requestId: id });
  });

  test("a refused sign-in start carries the request id too", async () => {
    await get("/auth/login");
    const refused = await get("/auth/login", { accept: "text/html" });
    expect(refused.status).toBe(429);
    const id = refused.headers.get("x-request-id") ?? "";
    expect(id).not.toBe("");
    expect(await refused.text()).toContain(id);
  });
});
