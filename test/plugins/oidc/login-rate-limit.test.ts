// GET /auth/login is open to anyone: each client address may start a bounded number of sign-ins a
// minute, and the 429 says when to come back.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Harness, PUBLIC_URL, startHarness } from "./support/harness";

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({ oidc: { loginsPerMinute: 3 }, server: { trustProxy: true } });
});
afterAll(() => harness.close());

const login = (address: string, path = "/auth/login") =>
  harness.tessera.runtime.app.handle(new Request(`${PUBLIC_URL}${path}`, { headers: { "x-forwarded-for": address } }));

describe("GET /auth/login rate limit", () => {
  test("refuses a flood of sign-in starts from one address with 429 problem+json and Retry-After", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await login("203.0.113.7")).status);
    expect(statuses).toEqual([302, 302, 302, 429, 429]);
    const refused = await login("203.0.113.7");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toContain("application/problem+json");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(refused.headers.getSetCookie()).toEqual([]);
    expect(await refused.json()).toMatchObject({ code: "ERR_RATE_LIMITED", status: 429 });
  });

  test("the named-provider route shares the same allowance", async () => {
    for (let i = 0; i < 3; i++) expect((await login("203.0.113.8")).status).toBe(302);
    expect((await login("203.0.113.8", `/auth/login/default`)).status).toBe(429);
  });

  test("another client address has an allowance of its own", async () => {
    expect((await login("198.51.100.20")).status).toBe(302);
  });
});
