import { afterEach, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { openProbe } from "../plugins/websocket/support/probe";
import { issueApiKey } from "../support/api-keys";
import { freePort } from "../support/free-port";
import { startTestProvider, TEST_CLIENT_SECRET, type TestProvider } from "../support/oidc-provider";
import { ownerWithWorkspace, type ServedInstance, serveProcess } from "../support/serve-process";

const ADMIN = "ops@example.com";
const ROOT = join(import.meta.dir, "..", "..");

const configWith = (options: { keys: object[]; admins: string[]; level: string; extra?: Record<string, unknown> }) => ({
  database: { url: "sqlite:./data/tessera.db" },
  admins: options.admins,
  log: { level: options.level },
  plugins: {
    websocket: { enabled: true },
    "api-key": { enabled: true, keys: options.keys },
  },
  ...options.extra,
});

const keyEntry = (issued: { name: string; hash: string; scopes: string[] }) => ({
  name: issued.name,
  hash: issued.hash,
  scopes: issued.scopes,
});

const until = async (read: () => boolean, what: string, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!read()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${served?.output()}`);
    await Bun.sleep(25);
  }
};

const withKey = (served: ServedInstance, key: string) => fetch(`${served.url}/me`, { headers: { "x-api-key": key } });

let served: ServedInstance | undefined;
let provider: TestProvider | undefined;
afterEach(async () => {
  await served?.stop();
  await provider?.close();
  served = undefined;
  provider = undefined;
});

/** The websocket, federation and oidc plugins, with the settings a test reloads. */
const pluginsConfig = (
  publicUrl: string,
  issuer: string,
  live: { burst: number; agentTypes: Record<string, string>; scopes: string[] },
) => ({
  server: { publicUrl },
  database: { url: "sqlite:./data/tessera.db" },
  log: { level: "info" },
  plugins: {
    websocket: { enabled: true, messagesPerSecond: 1, burst: live.burst },
    federation: {
      enabled: true,
      agents: {
        types: Object.fromEntries(
          Object.entries(live.agentTypes).map(([name, script]) => [name, { command: ["bun", join(ROOT, script)] }]),
        ),
      },
    },
    oidc: { enabled: true, issuer, clientId: "tessera", clientSecret: "${OIDC_CLIENT_SECRET}", scopes: live.scopes },
  },
});

describe("SIGHUP reload", () => {
  test("applies new admins, API keys and log level without dropping an open WebSocket", async () => {
    const [oldKey, newKey] = await Promise.all([issueApiKey("old", "ops"), issueApiKey("new", "ops")]);
    served = await serveProcess(configWith({ keys: [keyEntry(oldKey)], admins: [], level: "warn" }));
    const instance = served;
    const created = await instance.cli("users", "create", "--email", ADMIN);
    expect(created.code).toBe(0);
    const token = (await instance.cli("sessions", "create", "--email", ADMIN)).stdout.trim();
    const me = () => fetch(`${instance.url}/me`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json());

    expect((await me()).isAdmin).toBe(false);
    // A key the api-key plugin knows makes a service principal, which /me refuses with 403; an unknown key is 401.
    expect((await withKey(instance, oldKey.key)).status).toBe(403);
    expect((await withKey(instance, newKey.key)).status).toBe(401);
    const socket = await openProbe(`${instance.url.replace(/^http/, "ws")}/ws`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await socket.next("ready");

    writeFileSync(instance.configFile, JSON.stringify(configWith({ keys: [keyEntry(newKey)], admins: [ADMIN], level: "info" })));
    instance.process.kill("SIGHUP");
    // Logged at info: it shows only because the new level is in force.
    await until(() => instance.output().includes('"msg":"config reloaded"'), "the reload");

    expect((await withKey(instance, newKey.key)).status).toBe(403);
    expect((await withKey(instance, oldKey.key)).status).toBe(401);
    expect((await me()).isAdmin).toBe(true);
    socket.send({ type: "ping" });
    await socket.next("pong");
    expect(instance.process.exitCode).toBeNull();
    socket.close();
  }, 30_000);

  test("applies a WebSocket rate limit, an agent type and an OIDC setting; a WebSocket opened before stays open", async () => {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    provider = await startTestProvider({ redirectUri: `${publicUrl}/auth/callback` });
    const before = { burst: 2, agentTypes: { echo: "scripts/agents/echo.ts" }, scopes: ["openid", "email", "profile"] };
    served = await serveProcess(pluginsConfig(publicUrl, provider.issuer, before), {
      port,
      env: { OIDC_CLIENT_SECRET: TEST_CLIENT_SECRET },
    });
    const instance = served;
    const { token, workspaceId } = await ownerWithWorkspace(instance, "member@example.com");
    const spawn = (agentType: string) =>
      fetch(`${publicUrl}/agents`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ workspaceId, agentType, input: { from: agentType } }),
      });
    const scope = async () => {
      const login = await fetch(`${publicUrl}/auth/login`, { redirect: "manual" });
      return new URL(login.headers.get("location") ?? "").searchParams.get("scope");
    };
    const socket = await openProbe(`${publicUrl.replace(/^http/, "ws")}/ws`, { headers: { authorization: `Bearer ${token}` } });
    await socket.next("ready");
    expect(await scope()).toBe("openid email profile");
    expect((await spawn("repeat")).status).toBe(422);

    const after = {
      burst: 30,
      agentTypes: { echo: "scripts/agents/echo.ts", repeat: "scripts/agents/echo.ts" },
      scopes: ["openid", "email"],
    };
    writeFileSync(instance.configFile, JSON.stringify(pluginsConfig(publicUrl, provider.issuer, after)));
    instance.process.kill("SIGHUP");
    await until(() => instance.output().includes('"msg":"config reloaded"'), "the reload");
    expect(instance.output()).not.toContain("needs a restart");

    // Under the old burst of 2, ten at once would be limited and then closed.
    for (let i = 0; i < 10; i++) socket.send({ type: "ping" });
    for (let i = 0; i < 10; i++) await socket.next("pong");
    expect(socket.messages.some((message) => message.type === "error")).toBe(false);
    const spawned = await spawn("repeat");
    expect(spawned.status).toBe(201);
    expect(await spawned.json()).toMatchObject({ agentType: "repeat" });
    expect(await scope()).toBe("openid email");
    expect(socket.socket.readyState).toBe(WebSocket.OPEN);
    socket.close();
  }, 30_000);

  test("keeps the old config and logs why when the new file is invalid", async () => {
    const key = await issueApiKey("kept", "ops");
    served = await serveProcess(configWith({ keys: [keyEntry(key)], admins: [], level: "info" }));
    const instance = served;

    writeFileSync(instance.configFile, '{ "database": { "url": "sqlite:./data/tessera.db" }, "log": { "level": "loud" } }');
    instance.process.kill("SIGHUP");
    await until(() => instance.output().includes('"msg":"config reload failed'), "the refusal");
    const line = instance
      .output()
      .split("\n")
      .find((entry) => entry.includes('"msg":"config reload failed'));
    expect(line).toContain("ERR_CONFIG_INVALID");
    expect(line).toContain("log.level");
    expect((await withKey(instance, key.key)).status).toBe(403);

    // A file the schema accepts but the plugin refuses (a protected prefix no key can reach) is refused whole.
    writeFileSync(
      instance.configFile,
      JSON.stringify({
        ...configWith({ keys: [], admins: [ADMIN], level: "debug" }),
        plugins: { websocket: { enabled: true }, "api-key": { enabled: true, keys: [], protect: { "/jobs": "ops" } } },
      }),
    );
    const before = instance.output().length;
    instance.process.kill("SIGHUP");
    await until(() => instance.output().slice(before).includes('"msg":"config reload failed'), "the second refusal");
    expect(instance.output().slice(before)).toContain("plugins.api-key.protect");
    expect((await withKey(instance, key.key)).status).toBe(403);
    // The refused file's debug level was not applied either.
    expect(instance.output().slice(before)).not.toContain('"level":"debug"');
    expect(instance.process.exitCode).toBeNull();
  }, 30_000);

  test("logs a change that needs a restart and applies the rest", async () => {
    const key = await issueApiKey("ops", "ops");
    served = await serveProcess(configWith({ keys: [keyEntry(key)], admins: [], level: "info" }));
    const instance = served;
    writeFileSync(
      instance.configFile,
      JSON.stringify(
        configWith({ keys: [keyEntry(key)], admins: [ADMIN], level: "info", extra: { server: { bodyLimit: 4096 } } }),
      ),
    );
    instance.process.kill("SIGHUP");
    await until(() => instance.output().includes('"msg":"config reloaded"'), "the reload");
    const restart = instance
      .output()
      .split("\n")
      .find((entry) => entry.includes("needs a restart"));
    expect(restart).toContain("server.bodyLimit");
    expect(restart).not.toContain("admins");
  }, 30_000);

  test("writes one access-log line per request when log.access is on, without the query string", async () => {
    served = await serveProcess({
      database: { url: "sqlite:./data/tessera.db" },
      log: { level: "warn", access: true },
    });
    const instance = served;
    const response = await fetch(`${instance.url}/me?token=secret-value`, { headers: { "x-request-id": "req-42" } });
    expect(response.status).toBe(401);
    await until(() => instance.output().includes('"requestId":"req-42"'), "the access line");
    const line =
      instance
        .output()
        .split("\n")
        .find((entry) => entry.includes('"requestId":"req-42"')) ?? "";
    const entry = JSON.parse(line);
    expect(entry).toMatchObject({ msg: "request", method: "GET", path: "/me", status: 401, principal: "anonymous" });
    expect(typeof entry.durationMs).toBe("number");
    expect(line).not.toContain("secret-value");
  }, 30_000);
});
