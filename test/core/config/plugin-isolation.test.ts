import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig, ownSection } from "../../../core/config/load-config";
import { makeTempDir } from "../../support/test-runtime";

const load = (config: unknown) => {
  const dir = makeTempDir("isolation-config-");
  writeFileSync(join(dir, "tessera.jsonc"), JSON.stringify(config, null, 2));
  return loadConfig({ env: {}, cwd: dir });
};

describe("plugin isolation in config", () => {
  test("plugins by path or package run isolated with 256 MiB by default; built-ins in process", () => {
    const { plugins } = load({
      plugins: { "./mine": { enabled: true }, "tessera-plugin-x": { enabled: false }, websocket: { enabled: true } },
    }).config;
    expect(plugins["./mine"]).toMatchObject({ isolation: "process", memoryMb: 256 });
    expect(plugins["tessera-plugin-x"]).toMatchObject({ isolation: "process", memoryMb: 256 });
    expect(plugins.websocket).toMatchObject({ isolation: "none" });
    expect(plugins.websocket?.memoryMb).toBeUndefined();
  });

  test("takes an explicit isolation and memoryMb", () => {
    const { plugins } = load({
      plugins: { "./a": { enabled: true, memoryMb: 64 }, "./b": { enabled: true, isolation: "none" } },
    }).config;
    expect(plugins["./a"]).toMatchObject({ isolation: "process", memoryMb: 64 });
    expect(plugins["./b"]?.isolation).toBe("none");
    expect(plugins["./b"]?.memoryMb).toBeUndefined();
  });

  test("a built-in set to process is an error naming its path", () => {
    expect(() => load({ plugins: { websocket: { enabled: true, isolation: "process" } } })).toThrow(
      expect.objectContaining({
        code: "ERR_CONFIG_INVALID",
        path: "plugins.websocket.isolation",
        message: expect.stringMatching(/tessera\.jsonc:\d+:\d+ plugins\.websocket\.isolation: "websocket" is a built-in plugin/),
      }),
    );
  });

  test("memoryMb without process isolation is an error", () => {
    expect(() => load({ plugins: { "./a": { enabled: true, isolation: "none", memoryMb: 64 } } })).toThrow(
      expect.objectContaining({ code: "ERR_CONFIG_INVALID", path: `plugins["./a"].memoryMb` }),
    );
  });

  test("isolation, memoryMb and isolation.deno refuse what they don't know", () => {
    expect(() => load({ plugins: { "./a": { enabled: true, isolation: "deno" } } })).toThrow(
      expect.objectContaining({ code: "ERR_CONFIG_INVALID", path: `plugins["./a"].isolation` }),
    );
    expect(() => load({ plugins: { "./a": { enabled: true, memoryMb: 8 } } })).toThrow(
      expect.objectContaining({ code: "ERR_CONFIG_INVALID", path: `plugins["./a"].memoryMb` }),
    );
    expect(() => load({ isolation: { deno: "/usr/bin/deno", flags: [] } })).toThrow(
      expect.objectContaining({ code: "ERR_CONFIG_INVALID", path: "isolation.flags" }),
    );
    expect(load({ isolation: { deno: "/opt/deno" } }).config.isolation.deno).toBe("/opt/deno");
  });

  test("a plugin's own section leaves out the keys the core owns", () => {
    expect(ownSection({ enabled: true, permissions: { net: [] }, isolation: "process", memoryMb: 64, greeting: "hi" })).toEqual({
      greeting: "hi",
    });
  });
});
