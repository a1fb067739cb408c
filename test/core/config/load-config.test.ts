import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Type } from "@sinclair/typebox";
import { loadConfig, validatePluginConfig } from "../../../core/config/load-config";
import { TesseraError } from "../../../core/errors/tessera-error";

const thrown = (run: () => unknown): TesseraError => {
  try {
    run();
  } catch (error) {
    if (error instanceof TesseraError) return error;
    throw error;
  }
  throw new Error("expected a TesseraError");
};

const dirWith = (files: Record<string, string> = {}): string => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-config-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
};

const WebSocketPlugin = {
  name: "websocket",
  config: Type.Object({ path: Type.String({ default: "/ws" }), authTimeoutMs: Type.Integer({ minimum: 100, default: 5000 }) }),
};

describe("loadConfig", () => {
  test("runs on the embedded default when there is no tessera.jsonc", () => {
    const loaded = loadConfig({ env: {}, cwd: dirWith() });
    expect(loaded.embedded).toBe(true);
    expect(loaded.source).toBeUndefined();
    expect(loaded.file).toBeUndefined();
    expect(loaded.config.database.url).toBe("sqlite:./data/tessera.db");
    expect(loaded.config.redis).toBeUndefined();
    expect(loaded.config.plugins.websocket?.enabled).toBe(true);
    expect(loaded.config.plugins.console?.enabled).toBe(true);
    expect(loaded.config.plugins.oidc?.enabled).toBe(false);
    expect(loaded.config.plugins.federation?.enabled).toBe(false);
  });

  test("enables only built-in plugins that ship in plugins/, so npm start can load them", () => {
    const enabled = Object.entries(loadConfig({ env: {}, cwd: dirWith() }).config.plugins)
      .filter(([, section]) => section?.enabled)
      .map(([name]) => name);
    expect(enabled.length).toBeGreaterThan(0);
    for (const name of enabled) expect(existsSync(join(import.meta.dir, "../../../plugins", name, "index.ts"))).toBe(true);
  });

  test("applies the core defaults and derives publicUrl and allowedOrigins", () => {
    const cwd = dirWith({ "tessera.jsonc": '{ "server": { "port": 8080 }, "plugins": {} }' });
    const { config, embedded, file } = loadConfig({ env: {}, cwd });
    expect(embedded).toBe(false);
    expect(file).toBe(join(cwd, "tessera.jsonc"));
    expect(config.server).toEqual({
      port: 8080,
      hostname: "127.0.0.1",
      publicUrl: "http://localhost:8080",
      trustProxy: false,
      allowedOrigins: ["http://localhost:8080"],
      bodyLimit: 1048576,
      maxJsonDepth: 64,
      shutdownTimeoutMs: 10000,
      requestTimeoutMs: 30000,
    });
    expect(config.database.url).toBe("sqlite:./data/tessera.db");
    expect(config.admins).toEqual([]);
    expect(config.log.level).toBe("info");
  });

  test("takes allowedOrigins from the given publicUrl", () => {
    const cwd = dirWith({ "tessera.jsonc": '{ "server": { "publicUrl": "https://tessera.example.com/app/" } }' });
    const { config } = loadConfig({ env: {}, cwd });
    expect(config.server.publicUrl).toBe("https://tessera.example.com/app");
    expect(config.server.allowedOrigins).toEqual(["https://tessera.example.com"]);
  });

  test("reads an explicit file relative to cwd", () => {
    const cwd = dirWith({ "other.jsonc": '{ "log": { "level": "debug" } }' });
    const loaded = loadConfig({ file: "other.jsonc", env: {}, cwd });
    expect(loaded.config.log.level).toBe("debug");
    expect(loaded.source?.file).toBe("other.jsonc");
  });

  test("fails on an explicit file that does not exist, even with a tessera.jsonc present", () => {
    const cwd = dirWith({ "tessera.jsonc": "{}" });
    const error = thrown(() => loadConfig({ file: "missing.jsonc", env: {}, cwd }));
    expect(error.code).toBe("ERR_CONFIG_NOT_FOUND");
    expect(error.message).toContain("missing.jsonc");
  });

  test("interpolates the environment and keeps the secret paths", () => {
    const cwd = dirWith({
      "tessera.jsonc": '{ "server": { "port": "${PORT:-3000}" }, "database": { "url": "${DATABASE_URL}" } }',
    });
    const loaded = loadConfig({ env: { PORT: "4000", DATABASE_URL: "postgres://u:pw@db/tessera" }, cwd });
    expect(loaded.config.server.port).toBe(4000);
    expect(loaded.config.database.url).toBe("postgres://u:pw@db/tessera");
    expect([...loaded.secretPaths].sort()).toEqual(["database.url", "server.port"]);
  });

  test("reports core errors with file:line:col and path, without the secret", () => {
    const cwd = dirWith({
      "tessera.jsonc": '{\n  "database": { "url": "${DATABASE_URL}" },\n  "servr": {},\n  "plugins": { "oidc": {} }\n}',
    });
    const error = thrown(() => loadConfig({ env: { DATABASE_URL: "mysql://root:pw@db" }, cwd }));
    expect(error.code).toBe("ERR_CONFIG_INVALID");
    expect(error.message.split("\n")).toEqual([
      "tessera.jsonc:2:17 database.url: expected a string matching /^(sqlite:|postgres(ql)?://)/",
      "tessera.jsonc:3:3 servr: unknown property, did you mean `server`?",
      "tessera.jsonc:4:16 plugins.oidc.enabled: missing, expected boolean",
    ]);
    expect(error.message).not.toContain("root:pw");
  });
});

describe("validatePluginConfig", () => {
  test("checks the plugin's own keys, with defaults, leaving enabled and permissions to the core", () => {
    const cwd = dirWith({
      "tessera.jsonc": '{ "plugins": { "websocket": { "enabled": true, "permissions": { "net": [] }, "path": "/live" } } }',
    });
    const loaded = loadConfig({ env: {}, cwd });
    expect(validatePluginConfig(WebSocketPlugin, loaded)).toEqual({ path: "/live", authTimeoutMs: 5000 });
  });

  test("reports plugin errors under plugins.<name> with line:col", () => {
    const cwd = dirWith({
      "tessera.jsonc": '{\n  "plugins": {\n    "websocket": {\n      "enabled": true,\n      "authTimeout": 50\n    }\n  }\n}',
    });
    const loaded = loadConfig({ env: {}, cwd });
    const error = thrown(() => validatePluginConfig(WebSocketPlugin, loaded));
    expect(error.message).toBe(
      "tessera.jsonc:5:7 plugins.websocket.authTimeout: unknown property, did you mean `authTimeoutMs`?",
    );
  });

  test("rejects a core key typo in a plugin section", () => {
    const cwd = dirWith({
      "tessera.jsonc": '{ "plugins": { "websocket": { "enabled": true, "permissions": { "nett": [] } } } }',
    });
    const error = thrown(() => loadConfig({ env: {}, cwd }));
    expect(error.message).toContain("plugins.websocket.permissions.nett: unknown property, did you mean `net`?");
  });
});
