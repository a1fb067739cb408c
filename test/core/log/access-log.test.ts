import { describe, expect, test } from "bun:test";
import { Elysia } from "elysia";
import { createHttpApp } from "../../../core/http/create-app";
import type { Principal } from "../../../core/identity/types";
import { createAccessLog } from "../../../core/log/access-log";
import { createLogger } from "../../../core/log/json-logger";
import { httpMetrics } from "../../../core/metrics/http-metrics";
import { Registry } from "../../../core/metrics/registry";

const SERVICE: Principal = { kind: "service", name: "ci", scopes: [] };

const appWith = (enabled: boolean, principal: () => Principal | null | Promise<Principal | null> | undefined) => {
  const lines: string[] = [];
  const accessLog = createAccessLog({ enabled, principalOf: principal, write: (line) => lines.push(line) });
  const app = createHttpApp({
    log: createLogger({ write: () => {} }),
    metrics: httpMetrics(new Registry()),
    bodyLimit: 1024,
    allowedOrigins: ["http://tessera.test"],
    accessLog,
  }).use(
    new Elysia()
      .get("/ok/:id", () => ({ ok: true }))
      .get("/later", async () => ({ ok: true }))
      .get("/boom", () => {
        throw new Error("broken");
      }),
  );
  const get = (path: string, headers: Record<string, string> = {}) =>
    app.handle(new Request(`http://tessera.test${path}`, { headers }));
  return { lines, accessLog, get };
};

const settle = () => Bun.sleep(5);

describe("access log", () => {
  test("writes nothing while log.access is off, and starts when a reload turns it on", async () => {
    const { lines, accessLog, get } = appWith(false, () => undefined);
    await get("/ok/1");
    await settle();
    expect(lines).toEqual([]);
    accessLog.enabled = true;
    await get("/ok/2");
    await settle();
    expect(lines).toHaveLength(1);
  });

  test("logs the path without its query string, so a token in the URL never reaches the log", async () => {
    const { lines, get } = appWith(true, () => undefined);
    await get("/ok/1?access_token=tsk_secretsecretsecretsecretsecret&x=1");
    await settle();
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0] ?? "{}");
    expect(entry).toMatchObject({ msg: "request", method: "GET", path: "/ok/1", status: 200, principal: "anonymous" });
    expect(lines[0]).not.toContain("secret");
  });

  test("gives each line a request id: the client's, the error response's, or a new one", async () => {
    const { lines, get } = appWith(true, () => undefined);
    await get("/ok/1", { "x-request-id": "abc-1" });
    const failed = await get("/boom");
    await get("/later");
    await settle();
    const entries = lines.map((line) => JSON.parse(line));
    expect(entries[0].requestId).toBe("abc-1");
    expect(entries[1].status).toBe(500);
    // The id the problem+json body tells the user to quote is the one in the access log.
    expect(entries[1].requestId).toBe((await failed.json()).requestId);
    expect(entries[2].requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(entries.map((entry) => entry.requestId)).size).toBe(3);
  });

  test("names the kind of principal, waiting for one still being resolved", async () => {
    const resolved = appWith(true, () => SERVICE);
    await resolved.get("/ok/1");
    const pending = appWith(true, () => Promise.resolve(SERVICE));
    await pending.get("/ok/1");
    const refused = appWith(true, () => {
      const failed = Promise.reject(new Error("bad token"));
      failed.catch(() => {});
      return failed;
    });
    await refused.get("/ok/1");
    await settle();
    expect(JSON.parse(resolved.lines[0] ?? "{}").principal).toBe("service");
    expect(JSON.parse(pending.lines[0] ?? "{}").principal).toBe("service");
    expect(JSON.parse(refused.lines[0] ?? "{}").principal).toBe("invalid");
  });
});
