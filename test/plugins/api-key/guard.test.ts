import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { createSession } from "../../../core/identity/sessions";
import { createUser } from "../../../core/identity/users";
import { generateApiKey, hashApiKey } from "../../../plugins/api-key/keyring";
import { redisTestUrl, uniquePrefix } from "../../support/redis";
import { startTestRuntime, type TestRuntime } from "../../support/test-runtime";

const METRICS_TOKEN = "metrics-token-for-guard-tests";
const keys = { echo: generateApiKey(), other: generateApiKey(), expired: generateApiKey(), limited: generateApiKey() };

// The echo plugin comes first in config, so its routes are mounted before the api-key plugin's hook.
const config = (dir: string) => {
  copyFileSync(join(import.meta.dir, "echo-plugin.ts"), join(dir, "echo.ts"));
  return {
    metrics: { token: METRICS_TOKEN },
    plugins: {
      "./echo.ts": { enabled: true, isolation: "none", permissions: { routes: ["/echo", "/open"] } },
      "api-key": {
        enabled: true,
        keys: [
          { name: "echo-bot", hash: hashApiKey(keys.echo), scopes: ["echo", "me"] },
          { name: "other-bot", hash: hashApiKey(keys.other), scopes: ["other"] },
          { name: "retired", hash: hashApiKey(keys.expired), scopes: ["echo"], notAfter: "2020-01-01T00:00:00Z" },
        ],
        protect: { "/echo": "echo", "/me": "me" },
      },
    },
  };
};

const withKey = (key: string, init: RequestInit = {}): RequestInit => ({
  ...init,
  headers: { "x-api-key": key, ...init.headers },
});

describe("the API-key guard", () => {
  let t: TestRuntime;
  const logs: string[] = [];
  beforeAll(async () => {
    t = await startTestRuntime(config, { logs });
  });
  afterAll(() => t.close());

  const expectRefusal = async (response: Response, status: number, code: string) => {
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.headers.get("www-authenticate")).toStartWith('ApiKey header="X-API-Key"');
    const problem = await response.json();
    expect(problem).toMatchObject({ status, code });
    return problem;
  };

  test("a valid key reaches a route another plugin mounted earlier, as a service principal", async () => {
    const response = await t.request("/echo/whoami", withKey(keys.echo));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ principal: { kind: "service", name: "echo-bot", scopes: ["echo", "me"] } });
    // Plenty of quota left: no RateLimit-* headers yet (see the per-key rate limit below).
    expect(response.headers.get("ratelimit-limit")).toBeNull();
  });

  test("the header name is matched in any letter case", async () => {
    for (const name of ["x-api-key", "X-API-KEY", "X-Api-Key", "x-API-key"]) {
      expect((await t.request("/echo/whoami", { headers: { [name]: keys.echo } })).status).toBe(200);
    }
  });

  test("no key is 401 with the ApiKey challenge", async () => {
    const problem = await expectRefusal(await t.request("/echo/whoami"), 401, "ERR_UNAUTHENTICATED");
    expect(problem.detail).toContain("X-API-Key");
  });

  test("an empty, too short, wrong or expired key is 401", async () => {
    await expectRefusal(await t.request("/echo/whoami", withKey("")), 401, "ERR_UNAUTHENTICATED");
    await expectRefusal(await t.request("/echo/whoami", withKey("tsk_short")), 401, "ERR_UNAUTHENTICATED");
    const wrong = await expectRefusal(await t.request("/echo/whoami", withKey(generateApiKey())), 401, "ERR_UNAUTHENTICATED");
    expect(wrong.detail).toBe("The API key is not valid");
    const expired = await expectRefusal(await t.request("/echo/whoami", withKey(keys.expired)), 401, "ERR_UNAUTHENTICATED");
    expect(expired.detail).toContain('"retired" expired at 2020-01-01T00:00:00.000Z');
  });

  test("a key without the prefix's scope is 403 naming the scope", async () => {
    const response = await t.request("/echo/whoami", withKey(keys.other));
    expect(response.headers.get("www-authenticate")).toContain('error="insufficient_scope", scope="echo"');
    const problem = await expectRefusal(response, 403, "ERR_FORBIDDEN");
    expect(problem.detail).toBe('The API key "other-bot" lacks the "echo" scope');
  });

  test("a repeated X-API-Key header is 400, even when both copies are valid", async () => {
    const headers = new Headers([
      ["x-api-key", keys.echo],
      ["X-API-Key", keys.echo],
    ]);
    await expectRefusal(await t.request("/echo/whoami", { headers }), 400, "ERR_BAD_REQUEST");
  });

  test("a key in the query string is 400 telling them to use the header, even next to a valid header", async () => {
    for (const query of [`api_key=${keys.echo}`, "apiKey=x", "KEY=x", `token=${keys.echo}`, "x-api-key=x"]) {
      const problem = await expectRefusal(await t.request(`/echo/whoami?${query}`, withKey(keys.echo)), 400, "ERR_BAD_REQUEST");
      expect(problem.detail).toContain("X-API-Key header");
    }
    expect((await t.request("/echo/whoami?page=2", withKey(keys.echo))).status).toBe(200);
  });

  test("the key is checked before the body is read, so a caller without one learns nothing of the route", async () => {
    const init = { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" };
    await expectRefusal(await t.request("/echo/body", init), 401, "ERR_UNAUTHENTICATED");
    const valid = withKey(keys.echo, { ...init, headers: { ...init.headers, "x-api-key": keys.echo } });
    expect((await t.request("/echo/body", valid)).status).toBe(400);
  });

  test("covers core routes mounted before any plugin, and percent-encoded spellings of a prefix", async () => {
    await expectRefusal(await t.request("/me"), 401, "ERR_UNAUTHENTICATED");
    await expectRefusal(await t.request("/%65cho/whoami"), 401, "ERR_UNAUTHENTICATED");
    await expectRefusal(await t.request("/echo%2Fwhoami"), 401, "ERR_UNAUTHENTICATED");
  });

  test("unprotected routes need no key and carry no rate-limit headers", async () => {
    const response = await t.request("/open/ping");
    expect(response.status).toBe(200);
    expect(response.headers.get("ratelimit-limit")).toBeNull();
    expect((await t.request("/echoes/anything")).status).toBe(404);
  });

  test("on any route, a presented key wins over a session and an invalid one is refused", async () => {
    const user = await createUser(t.runtime.db, { email: "u@example.com", name: "u" });
    const { token } = await createSession(t.runtime.db, user.id, { ttlMs: 60_000 });
    const both = await t.request("/open/whoami", withKey(keys.other, { headers: { authorization: `Bearer ${token}` } }));
    expect((await both.json()).principal).toMatchObject({ kind: "service", name: "other-bot" });
    const session = await t.request("/open/whoami", { headers: { authorization: `Bearer ${token}` } });
    expect((await session.json()).principal).toMatchObject({ kind: "user" });
    await expectRefusal(await t.request("/open/whoami", withKey(generateApiKey())), 401, "ERR_UNAUTHENTICATED");
  });

  test("metrics show each key's last use and refusals by reason", async () => {
    const before = Date.now() / 1000;
    await t.request("/echo/whoami", withKey(keys.echo));
    const metrics = await (await t.request("/metrics", { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    const lastUsed = Number(/tessera_api_key_last_used_seconds\{key="echo-bot"\} ([\d.]+)/.exec(metrics)?.[1]);
    expect(lastUsed).toBeGreaterThanOrEqual(Math.floor(before));
    expect(metrics).not.toContain('key="retired"');
    expect(metrics).toMatch(/tessera_api_key_denied_total\{reason="unknown"\} [1-9]/);
    expect(metrics).toMatch(/tessera_api_key_denied_total\{reason="scope"\} [1-9]/);
  });

  test("no key reaches a log line, even from a plugin that logs headers or fails with a key in its message", async () => {
    const response = await t.request("/open/careless", withKey(keys.echo));
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain(keys.echo.slice(4));
    const text = logs.join("\n");
    expect(text).toContain("request seen");
    expect(text).toContain("could not use tsk_");
    for (const key of Object.values(keys)) expect(text).not.toContain(key.slice(4));
  });
});

const limitedConfig = (extra: Record<string, unknown>, keyName: string) => (dir: string) => {
  const base = config(dir);
  const section = base.plugins["api-key"];
  const limited = { name: keyName, hash: hashApiKey(keys.limited), scopes: ["echo"] };
  return {
    ...extra,
    plugins: {
      ...base.plugins,
      "api-key": { ...section, keys: [...section.keys, limited], rateLimit: { limit: 2, windowMs: 60_000, burst: 2 } },
    },
  };
};

const redisUrl = await redisTestUrl();
const limiters: [string, Record<string, unknown>][] = [["in memory", {}]];
// A prefix of its own: Redis buckets outlive the runtime, and every key here has a small limit.
if (redisUrl) limiters.push(["on Redis", { redis: { url: redisUrl, prefix: uniquePrefix("api-key-limit") } }]);

for (const [where, extra] of limiters) {
  describe(`the per-key rate limit (${where})`, () => {
    let t: TestRuntime;
    // Unique per run: the Redis limiter's keys outlive the runtime.
    const keyName = `limited-${crypto.randomUUID().slice(0, 8)}`;
    beforeAll(async () => {
      t = await startTestRuntime(limitedConfig(extra, keyName));
    });
    afterAll(() => t.close());

    test("past its limit a key gets 429 with Retry-After; other keys are unaffected", async () => {
      const responses = [];
      for (let i = 0; i < 3; i++) responses.push(await t.request("/echo/whoami", withKey(keys.limited)));
      expect(responses.map((response) => response.status)).toEqual([200, 200, 429]);
      // Half the quota spent from the first request on (a limit of 2): the headers say how much is left.
      expect(responses.map((response) => response.headers.get("ratelimit-remaining"))).toEqual(["1", "0", "0"]);
      const limited = await t.request("/echo/whoami", withKey(keys.limited));
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(limited.headers.get("ratelimit-remaining")).toBe("0");
      expect(await limited.json()).toMatchObject({ code: "ERR_RATE_LIMITED" });
      expect((await t.request("/echo/whoami", withKey(keys.echo))).status).toBe(200);
    });
  });
}
