// `tessera serve` and the CLI as a self-hoster runs them: a real process, real HTTP.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../support/free-port";
import { runCli, type ServedInstance, serveProcess, TESSERA } from "../support/serve-process";
import { makeTempDir } from "../support/test-runtime";

const greeter = join(import.meta.dir, "..", "fixtures", "plugins", "greeter.ts");

const config = (dir: string) => {
  copyFileSync(greeter, join(dir, "greeter.ts"));
  return {
    database: { url: "sqlite:./data/tessera.db" },
    server: { bodyLimit: 4096 },
    plugins: { "./greeter.ts": { enabled: true, isolation: "none", permissions: { routes: ["/greeter"] } } },
  };
};

describe("tessera serve", () => {
  let served: ServedInstance;
  beforeAll(async () => {
    const dir = makeTempDir("serve-");
    served = await serveProcess(config(dir), { dir });
  });
  afterAll(async () => {
    if (served.process.exitCode === null) await served.stop();
    rmSync(served.dir, { recursive: true, force: true });
  });

  test("prints the plugin table and answers health and readiness", async () => {
    expect(served.output()).toMatch(/PLUGIN\s+VERSION\s+STATE\s+ISOLATION\s+NET\s+ENV\s+ROUTES/);
    expect(served.output()).toMatch(/\.\/greeter\.ts\s+1\.2\.3\s+started/);
    expect((await fetch(`${served.url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${served.url}/readyz`)).json()).toMatchObject({ status: "ready" });
  });

  test("users create and sessions create give a token that /me accepts", async () => {
    const created = await served.cli("users", "create", "--email", "Ada@Example.com", "--name", "Ada");
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toEqual({ id: expect.any(String), email: "ada@example.com" });
    const session = await served.cli("sessions", "create", "--email", "ada@example.com", "--ttl", "1h");
    expect(session.code).toBe(0);
    const token = session.stdout.trim();
    expect(token).toMatch(/^tss_[\w-]{43}$/);
    const me = await fetch(`${served.url}/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(await me.json()).toMatchObject({ user: { email: "ada@example.com", name: "Ada" } });
  });

  test("CLI errors are one line on stderr and a non-zero exit", async () => {
    const duplicate = await served.cli("users", "create", "--email", "ada@example.com");
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toStartWith("tessera: ERR_CONFLICT");
    const missing = await served.cli("sessions", "create", "--email", "nobody@example.com");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("users create --email nobody@example.com");
    const badTtl = await served.cli("sessions", "create", "--email", "ada@example.com", "--ttl", "forever");
    expect(badTtl.stderr).toContain("--ttl expects a duration");
  });

  test("an oversized body is refused with 413 problem+json", async () => {
    const response = await fetch(`${served.url}/workspaces`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "x".repeat(10_000) }),
    });
    expect(response.status).toBe(413);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
  });

  test("a second instance on the same port fails with ERR_PORT_IN_USE", async () => {
    const port = new URL(served.url).port;
    const result = await runCli(["serve", "--config", served.configFile, "--port", port], served.dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("ERR_PORT_IN_USE");
    expect(result.stdout).not.toContain("listening");
  });

  test("SIGTERM lets an in-flight request finish, then exits 0", async () => {
    const inflight = fetch(`${served.url}/greeter/slow?ms=400`);
    await Bun.sleep(100);
    served.process.kill("SIGTERM");
    const response = await inflight;
    expect(await response.json()).toEqual({ slept: true });
    expect(await served.process.exited).toBe(0);
    expect(served.output()).toContain('"msg":"stopped"');
  });
});

describe("tessera serve keeps /metrics and the detailed /readyz from the public", () => {
  const METRICS_TOKEN = "metrics-token-for-serve-e2e";
  let open: ServedInstance;
  let guarded: ServedInstance;
  let listened: ServedInstance;
  let metricsPort: number;
  beforeAll(async () => {
    metricsPort = await freePort();
    const dirs = [makeTempDir("serve-"), makeTempDir("serve-"), makeTempDir("serve-")] as const;
    [open, guarded, listened] = await Promise.all([
      serveProcess(config(dirs[0]), { dir: dirs[0] }),
      serveProcess({ ...config(dirs[1]), metrics: { token: "${METRICS_TOKEN}" } }, { dir: dirs[1], env: { METRICS_TOKEN } }),
      serveProcess({ ...config(dirs[2]), metrics: { listen: `127.0.0.1:${metricsPort}` } }, { dir: dirs[2] }),
    ]);
  });
  afterAll(async () => {
    for (const served of [open, guarded, listened]) {
      if (!served) continue;
      if (served.process.exitCode === null) await served.stop();
      rmSync(served.dir, { recursive: true, force: true });
    }
  });

  test("refuses /metrics with a 404 problem when no token or listener is configured; /readyz is status only", async () => {
    const metrics = await fetch(`${open.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(metrics.status).toBe(404);
    expect(metrics.headers.get("content-type")).toBe("application/problem+json");
    expect(await (await fetch(`${open.url}/readyz`)).json()).toEqual({ status: "ready" });
    expect((await fetch(`${open.url}/healthz`)).status).toBe(200);
  });

  test("refuses /metrics with a wrong token (401) and serves it with the right one", async () => {
    const wrong = await fetch(`${guarded.url}/metrics`, { headers: { authorization: "Bearer metrics-token-guessed-wrong" } });
    expect(wrong.status).toBe(401);
    expect((await fetch(`${guarded.url}/metrics`)).status).toBe(401);
    const right = await fetch(`${guarded.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(right.status).toBe(200);
    expect(await right.text()).toContain("tessera_http_requests_total");
    const detailed = await fetch(`${guarded.url}/readyz`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(await detailed.json()).toMatchObject({ status: "ready", checks: { database: { ok: true } } });
  });

  test("metrics.listen serves them on their own port and not on the public one", async () => {
    expect(listened.output()).toContain(`Metrics listening on http://127.0.0.1:${metricsPort}`);
    expect((await fetch(`${listened.url}/metrics`)).status).toBe(404);
    expect(await (await fetch(`${listened.url}/readyz`)).json()).toEqual({ status: "ready" });
    expect(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()).toContain("tessera_");
    expect(await (await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).json()).toMatchObject({
      status: "ready",
      checks: { database: { ok: true }, "plugin:greeter": { ok: true } },
    });
  });
});

describe("start-up failures stop before any port opens", () => {
  const dir = makeTempDir("bad-config-");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("an invalid config names file:line:col, the JSON path and what was expected", async () => {
    writeFileSync(join(dir, "bad.jsonc"), '{\n  // comment\n  "server": { "port": "eighty" },\n  "plugins": {},\n}\n');
    const result = await runCli(["serve", "--config", "bad.jsonc"], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("ERR_CONFIG_INVALID");
    expect(result.stderr).toMatch(/bad\.jsonc:3:\d+ server\.port/);
    expect(result.stdout).not.toContain("listening");
  });

  test("an unknown key suggests the right one", async () => {
    writeFileSync(join(dir, "typo.jsonc"), '{ "sever": { "port": 1 }, "plugins": {} }');
    const result = await runCli(["check", "--config", "typo.jsonc"], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/sever.*did you mean.*server/i);
  });

  test("a secret from the environment is never echoed", async () => {
    writeFileSync(
      join(dir, "secret.jsonc"),
      '{ "server": { "hostname": 5 }, "database": { "url": "${DB_URL}" }, "plugins": {} }',
    );
    const result = await runCli(["check", "--config", "secret.jsonc"], dir, { DB_URL: "mysql://root:hunter2@db/x" });
    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain("hunter2");
  });

  test("an unreachable PostgreSQL is a clear error without the password", async () => {
    writeFileSync(join(dir, "pg.jsonc"), '{ "database": { "url": "postgres://tessera:hunter2@127.0.0.1:1/x" }, "plugins": {} }');
    const result = await runCli(["serve", "--config", "pg.jsonc"], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("ERR_DB_UNREACHABLE");
    expect(result.stderr).not.toContain("hunter2");
  });

  test("an unknown plugin specifier stops start-up", async () => {
    writeFileSync(join(dir, "unknown.jsonc"), '{ "plugins": { "telepathy": { "enabled": true } } }');
    const result = await runCli(["serve", "--config", "unknown.jsonc"], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("ERR_PLUGIN_NOT_FOUND");
  });
});

describe("one-shot commands", () => {
  const dir = makeTempDir("cli-");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("migrate applies once, then reports up to date", async () => {
    writeFileSync(join(dir, "tessera.jsonc"), '{ "database": { "url": "sqlite:./db/t.db" }, "plugins": {} }');
    const first = await runCli(["migrate"], dir);
    expect(first.stdout).toMatch(/Applied \d+ migration/);
    expect(existsSync(join(dir, "db", "t.db"))).toBe(true);
    expect((await runCli(["migrate"], dir)).stdout).toContain("up to date");
  });

  test("check prints the table and says the config is fine", async () => {
    const result = await runCli(["check"], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Config OK");
  });

  test("schema prints a JSON Schema with the plugins section", async () => {
    const result = await runCli(["schema"], dir);
    const schema = JSON.parse(result.stdout);
    expect(schema.properties.plugins).toBeDefined();
    expect(JSON.stringify(schema.properties.server.properties.port)).toContain('"type":"integer"');
  });

  test("a reader slower than the command still gets all of its output", async () => {
    // More than a pipe holds, read only after a pause: exiting before the pipe drained used to cut it off.
    const command = TESSERA.map((word) => `'${word}'`).join(" ");
    const child = Bun.spawn(["sh", "-c", `${command} schema | (sleep 0.3; cat)`], { cwd: dir, stdout: "pipe" });
    const text = await new Response(child.stdout).text();
    expect(text.length).toBeGreaterThan(65_536);
    expect(() => JSON.parse(text)).not.toThrow();
  });

  test("--version and unknown commands", async () => {
    expect((await runCli(["--version"], dir)).stdout).toMatch(/^tessera \d+\.\d+\.\d+/);
    const unknown = await runCli(["frobnicate"], dir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
  });
});
