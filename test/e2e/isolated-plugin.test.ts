// The isolation proof against a real `tessera serve`: the fixture plugin, enabled by path and run in its own
// Deno process, is refused by the runtime each of five accesses it was not granted (each logged with the
// plugin, the value and the config line), while what it was granted works; its routes stream both ways, it
// learns the user without seeing credentials, keeps rows in its own database, is restarted after a crash,
// and never outlives the server.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { type Server, SQL } from "bun";
import { pluginRoleName } from "../../core/isolation/database/postgres-role";
import { isAlive } from "../support/agent-processes";
import { childrenOf } from "../support/child-processes";
import { freePort } from "../support/free-port";
import { createScratchDatabase, POSTGRES_ADMIN_URL, postgresTestUrl } from "../support/postgres";
import { ownerWithWorkspace, type ServedInstance, serveProcess } from "../support/serve-process";

const fixture = join(import.meta.dir, "..", "fixtures", "isolated-plugin");
const METRICS_TOKEN = "isolated-plugin-readiness";
const ENV = { PROBE_GRANTED: "granted-value", PROBE_SECRET: "secret-value" };

let upstream: Server<undefined>;
let notGranted: number;

const configFor = (upstreamPort: number) => ({
  database: { url: "sqlite:./data/tessera.db" },
  // Named, so the binary under test (TESSERA_BIN, with no node_modules beside it) finds it too.
  isolation: { deno: join(import.meta.dir, "..", "..", "node_modules", ".bin", "deno") },
  log: { level: "info" },
  metrics: { token: METRICS_TOKEN },
  plugins: {
    [fixture]: {
      enabled: true,
      permissions: { routes: ["/probe"], env: ["PROBE_GRANTED"], net: [`127.0.0.1:${upstreamPort}`] },
    },
  },
});

const serveProbe = () => serveProcess(configFor(upstream.port ?? 0), { env: ENV, timeoutMs: 30_000 });

/** The server's JSON log lines. */
const logLines = (served: ServedInstance): Record<string, unknown>[] =>
  served
    .output()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const waitFor = async <T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
};

// The child program: main.ts from source, the kit's main.js from the single binary.
const denoChildren = (served: ServedInstance) => childrenOf(served.process.pid, "isolation/child/main.");

beforeAll(async () => {
  upstream = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("upstream") });
  notGranted = await freePort();
});
afterAll(() => upstream.stop(true));

describe("an isolated plugin, enabled by path", () => {
  let served: ServedInstance;
  let token: string;
  const get = (path: string, init: RequestInit = {}) => fetch(`${served.url}${path}`, init);
  beforeAll(async () => {
    served = await serveProbe();
    ({ token } = await ownerWithWorkspace(served, "ada@example.com"));
  }, 60_000);
  afterAll(() => served?.stop());

  const forbidden = () => [
    { path: "/probe/read?path=/etc/passwd", code: "ERR_PERMISSION_READ", value: "/etc/passwd" },
    { path: "/probe/env/PROBE_SECRET", code: "ERR_PERMISSION_ENV", value: "PROBE_SECRET" },
    {
      path: `/probe/fetch?url=${encodeURIComponent(`http://127.0.0.1:${notGranted}/`)}`,
      code: "ERR_PERMISSION_NET",
      value: `127.0.0.1:${notGranted}`,
    },
    { path: "/probe/spawn", code: "ERR_PERMISSION_RUN", value: "/bin/true" },
    { path: "/probe/write", code: "ERR_PERMISSION_WRITE", value: join(fixture, "written.txt") },
  ];

  test("is refused each of the five accesses it was not granted: a 500 ERR_PERMISSION_* problem and a log line naming the plugin, the value and the grant", async () => {
    for (const { path, code, value } of forbidden()) {
      const response = await get(path);
      expect(response.status).toBe(500);
      const text = await response.text();
      expect(JSON.parse(text)).toMatchObject({ type: `urn:tessera:problem:${code}` });
      expect(text).not.toContain("secret-value");
      const logged = await waitFor(`the ${code} log line`, () =>
        logLines(served).find((line) => line.code === code && line.value === value),
      );
      expect(logged).toMatchObject({ plugin: fixture, value });
      expect(String(logged.grant)).toContain(JSON.stringify(fixture));
      expect(String(logged.grant)).toContain(
        code === "ERR_PERMISSION_ENV" || code === "ERR_PERMISSION_NET" ? "permissions" : "isolation",
      );
    }
    expect(served.output()).not.toContain("secret-value");
  });

  test("serves what it was granted: its route, its own file, the granted variable and host", async () => {
    expect(await (await get("/probe/hello")).json()).toEqual({ hello: "world" });
    expect(await (await get("/probe/own")).json()).toEqual({ text: "the probe's own file\n" });
    expect(await (await get("/probe/env/PROBE_GRANTED")).json()).toEqual({ value: "granted-value" });
    expect(await (await get("/probe/ctx-env/PROBE_GRANTED")).json()).toEqual({ value: "granted-value" });
    const granted = encodeURIComponent(`http://127.0.0.1:${upstream.port}/`);
    expect(await (await get(`/probe/fetch?url=${granted}`)).json()).toEqual({ status: 200 });
    expect(await (await get(`/probe/ctx-fetch?url=${granted}`)).json()).toEqual({ status: 200 });
  });

  test("streams a request body to the plugin and its answer back, intact", async () => {
    const body = new Uint8Array(1024 * 1024).map((_, i) => (i * 7) % 251);
    const response = await get("/probe/echo", {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body: new Blob([body]).stream(),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(body);
  });

  test("streams server-sent events as the plugin produces them", async () => {
    const response = await get("/probe/sse");
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const reader = response.body?.getReader();
    if (!reader) throw new Error("no body");
    const arrivals: number[] = [];
    let text = "";
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      text += new TextDecoder().decode(read.value);
      arrivals.push(Date.now());
    }
    expect(text.match(/^data: \d$/gm)).toEqual(["data: 1", "data: 2", "data: 3"]);
    expect((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(80);
  });

  test("learns the user from ctx.auth without seeing the credentials; without a session it is a 401", async () => {
    const me = (await (await get("/me", { headers: { authorization: `Bearer ${token}` } })).json()) as { user: { id: string } };
    const whoami = await get("/probe/whoami", { headers: { authorization: `Bearer ${token}` } });
    expect(await whoami.json()).toEqual({ userId: me.user.id });
    const anonymous = await get("/probe/whoami");
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ code: "ERR_UNAUTHENTICATED" });
  });

  test("can still ask ctx.auth while its answer streams", async () => {
    const me = (await (await get("/me", { headers: { authorization: `Bearer ${token}` } })).json()) as { user: { id: string } };
    const stream = await get("/probe/whoami-later", { headers: { authorization: `Bearer ${token}` } });
    expect(await stream.text()).toBe(
      `event: hello\ndata: {}\n\nevent: user\ndata: ${JSON.stringify({ userId: me.user.id })}\n\n`,
    );
  });

  test("keeps rows in its own database, created by its own migration", async () => {
    const created = await get("/probe/items", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ text: "kept apart" }),
    });
    expect(created.status).toBe(200);
    const { id } = (await created.json()) as { id: number };
    expect(await (await get("/probe/items")).json()).toMatchObject({ items: [{ id, text: "kept apart" }] });
  });

  test("is restarted after a crash: 503 with Retry-After and not ready meanwhile, then serving again", async () => {
    const [before] = denoChildren(served);
    expect((await get("/probe/crash")).status).toBe(202);
    const down = await waitFor("the 503", async () => {
      const response = await get("/probe/hello");
      return response.status === 503 ? response : undefined;
    });
    expect(down.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await down.json()).toMatchObject({ code: "ERR_UNAVAILABLE" });
    const readiness = (await (await get("/readyz", { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).json()) as {
      status: string;
      checks: Record<string, { ok: boolean }>;
    };
    expect(readiness.status).toBe("not_ready");
    expect(readiness.checks["plugin:probe"]?.ok).toBe(false);
    await waitFor("the plugin back", async () => ((await get("/probe/hello")).status === 200 ? true : undefined));
    expect((await get("/readyz")).status).toBe(200);
    expect(denoChildren(served)).not.toContain(before ?? -1);
    const metrics = await (await get("/metrics", { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    expect(metrics).toMatch(/tessera_isolated_plugin_restarts_total\{plugin="probe"\} [1-9]/);
  }, 30_000);

  test("SIGHUP reloads its config through the child; a new memory cap is named as needing a restart", async () => {
    const config = configFor(upstream.port ?? 0);
    const section = config.plugins[fixture];
    await Bun.write(
      served.configFile,
      JSON.stringify({ ...config, plugins: { [fixture]: { ...section, greeting: "again", memoryMb: 128 } } }),
    );
    served.process.kill("SIGHUP");
    await waitFor("the new greeting", async () => {
      const body = (await (await get("/probe/hello")).json()) as { hello?: string };
      return body.hello === "again" ? true : undefined;
    });
    const warned = await waitFor("the restart warning", () =>
      logLines(served).find((line) => line.msg === "config change needs a restart to take effect"),
    );
    expect(warned.paths).toEqual([`plugins.${fixture}.memoryMb`]);
    await Bun.write(served.configFile, JSON.stringify(config));
    served.process.kill("SIGHUP");
    await waitFor("the greeting back", async () => {
      const body = (await (await get("/probe/hello")).json()) as { hello?: string };
      return body.hello === "world" ? true : undefined;
    });
  });

  test("`tessera check` prints its isolation and the exact command line its child gets", async () => {
    const checked = await served.cli("check");
    expect(checked.code).toBe(0);
    expect(checked.stdout).toMatch(new RegExp(`${fixture.replaceAll("/", "\\/")}\\s+1\\.0\\.0\\s+set up\\s+process`));
    expect(checked.stdout).toContain(`${fixture} runs isolated as:`);
    for (const flag of [
      "run --no-prompt --no-remote --no-config",
      `--allow-read=${fixture}`,
      `--allow-net=127.0.0.1:${upstream.port}`,
      "--allow-env=PROBE_GRANTED,NODE_ENV",
      "--v8-flags=--max-old-space-size=256",
    ]) {
      expect(checked.stdout).toContain(flag);
    }
    expect(checked.stdout).not.toMatch(/--allow-(write|run|ffi|sys)/);
  });
});

const postgres = await postgresTestUrl();

describe.skipIf(!postgres)("an isolated plugin on PostgreSQL", () => {
  test("keeps rows in a schema of its own role, which can't read the server's tables", async () => {
    const scratch = await createScratchDatabase();
    const role = pluginRoleName("probe", new URL(scratch.url).pathname.slice(1));
    const config = { ...configFor(upstream.port ?? 0), database: { url: scratch.url } };
    const served = await serveProcess(config, { env: ENV, timeoutMs: 30_000 });
    try {
      const { token } = await ownerWithWorkspace(served, "grace@example.com");
      const created = await fetch(`${served.url}/probe/items`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ text: "in its schema" }),
      });
      expect(created.status).toBe(200);
      expect(await (await fetch(`${served.url}/probe/items`)).json()).toMatchObject({ items: [{ text: "in its schema" }] });
      const admin = new SQL(scratch.url, { max: 1 });
      try {
        expect([...(await admin`SELECT schemaname, tableowner FROM pg_tables WHERE tablename = 'probe_items'`)]).toEqual([
          { schemaname: role, tableowner: role },
        ]);
        const [reach] = await admin`SELECT has_table_privilege(${role}, 'public.users', 'SELECT') AS users`;
        expect(reach).toEqual({ users: false });
      } finally {
        await admin.close();
      }
    } finally {
      await served.stop();
      await scratch.drop();
      const admin = new SQL(POSTGRES_ADMIN_URL, { max: 1 });
      await admin.unsafe(`DROP ROLE IF EXISTS "${role}"`);
      await admin.close();
    }
  }, 60_000);
});

describe("an isolated plugin's child never outlives the server", () => {
  // A server a failed assertion left running is killed; its child then ends by itself.
  let served: ServedInstance | undefined;
  afterEach(async () => {
    await served?.stop("SIGKILL");
    served = undefined;
  });
  test("SIGTERM to tessera ends its child", async () => {
    served = await serveProbe();
    const children = denoChildren(served);
    expect(children.length).toBe(1);
    expect(await served.stop("SIGTERM")).toBe(0);
    served = undefined;
    await waitFor("the child gone", () => (children.some(isAlive) ? undefined : true), 5000);
  }, 60_000);

  test("SIGTERM ends an open event stream at once instead of waiting out the shutdown timeout", async () => {
    served = await serveProbe();
    const response = await fetch(`${served.url}/probe/sse?endless`);
    const reader = response.body?.getReader();
    expect((await reader?.read())?.done).toBe(false);
    const started = performance.now();
    expect(await served.stop("SIGTERM")).toBe(0);
    served = undefined;
    // server.shutdownTimeoutMs is 10 s by default: a stream left open would hold the exit that long.
    expect(performance.now() - started).toBeLessThan(5000);
    for (let chunk = await reader?.read(); chunk && !chunk.done; chunk = await reader?.read());
  }, 60_000);

  test("SIGKILL to tessera: the child sees its stdin end and exits by itself", async () => {
    served = await serveProbe();
    const children = denoChildren(served);
    expect(children.length).toBe(1);
    await served.stop("SIGKILL");
    served = undefined;
    await waitFor("the child gone", () => (children.some(isAlive) ? undefined : true), 5000);
  }, 60_000);
});
