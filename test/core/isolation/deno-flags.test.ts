import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { TesseraError } from "../../../core/errors/tessera-error";
import { childCommand, childEnv, denoNet, importMap } from "../../../core/isolation/deno-flags";
import { makeTempDir } from "../../support/test-runtime";

const kit = {
  main: "/srv/tessera/core/isolation/child/main.ts",
  imports: { "tessera/plugin": "/srv/tessera/core/plugin-api/index.ts" },
};
const plugin = { specifier: "./probe", entry: "/srv/plugins/probe/index.ts", folder: "/srv/plugins/probe" };
const command = (grants: { net?: string[]; env?: string[] } = {}, memoryMb = 256) =>
  childCommand({ deno: "/usr/bin/deno", kit, plugin, grants: { net: [], env: [], routes: ["/probe"], ...grants }, memoryMb });

describe("childCommand", () => {
  test("runs the child program with read access to the plugin's folder, the fixed variables and a heap cap, and nothing else", () => {
    expect(command()).toEqual([
      "/usr/bin/deno",
      "run",
      "--no-prompt",
      "--no-remote",
      "--no-config",
      "--unstable-sloppy-imports",
      "--node-modules-dir=manual",
      `--import-map=data:application/json,${importMap(kit, plugin.entry)}`,
      "--allow-read=/srv/plugins/probe",
      "--allow-env=NODE_ENV,ENV,ELYSIA_AOT,NODE_V8_COVERAGE",
      "--v8-flags=--max-old-space-size=256",
      kit.main,
    ]);
  });

  test("never grants write, run, ffi or sys, whatever is granted", () => {
    const flags = command({ net: ["api.example.com:*"], env: ["TOKEN", "APP_*"] }, 512);
    expect(flags.filter((flag) => /^--allow-(write|run|ffi|sys|all)|^-A$/.test(flag))).toEqual([]);
    expect(flags).toContain("--allow-net=api.example.com");
    expect(flags).toContain("--allow-env=TOKEN,APP_*,NODE_ENV,ENV,ELYSIA_AOT,NODE_V8_COVERAGE");
    expect(flags).toContain("--v8-flags=--max-old-space-size=512");
  });

  test("maps the plugin and the modules it may import to files in the import map", () => {
    expect(JSON.parse(importMap(kit, plugin.entry))).toEqual({
      imports: {
        "tessera-isolated:plugin": "file:///srv/plugins/probe/index.ts",
        "tessera/plugin": "file:///srv/tessera/core/plugin-api/index.ts",
      },
    });
  });

  test("refuses a grant with a comma, which Deno would read as two", () => {
    expect(() => command({ env: ["A,B"] })).toThrow(TesseraError);
    expect(() =>
      childCommand({
        deno: "deno",
        kit,
        plugin: { ...plugin, folder: "/srv/a,b" },
        grants: { net: [], env: [], routes: [] },
        memoryMb: 256,
      }),
    ).toThrow(/comma/);
  });
});

describe("denoNet", () => {
  test("a bare host is the scheme's default ports; host:port is that port; host:* any port", () => {
    expect(denoNet("p", ["api.example.com", "127.0.0.1:8080", "db.internal:*"])).toEqual({
      allow: ["api.example.com:80", "api.example.com:443", "127.0.0.1:8080", "db.internal"],
      deny: [],
    });
  });

  test("spells hosts as the in-process check does: lower case, IPv6 in brackets", () => {
    expect(denoNet("p", ["API.Example.COM:443", "[::1]:9000"]).allow).toEqual(["api.example.com:443", "[::1]:9000"]);
  });

  test("a subdomain wildcard keeps its ports, and the apex Deno would also admit is denied", () => {
    expect(denoNet("p", ["*.example.com"])).toEqual({
      allow: ["*.example.com:80", "*.example.com:443"],
      deny: ["example.com:80", "example.com:443"],
    });
    expect(denoNet("p", ["*.example.com:*"])).toEqual({ allow: ["*.example.com"], deny: ["example.com"] });
  });

  test("an apex granted on its own is not denied", () => {
    expect(denoNet("p", ["*.example.com", "example.com:443"])).toEqual({
      allow: ["*.example.com:80", "*.example.com:443", "example.com:443"],
      deny: ["example.com:80"],
    });
    expect(denoNet("p", ["*.example.com:*", "example.com:*"]).deny).toEqual([]);
  });

  test("refuses what Deno can't enforce: any port of the subdomains beside some ports of the apex", () => {
    expect(() => denoNet("./p", ["*.example.com:*", "example.com"])).toThrow(
      expect.objectContaining({ code: "ERR_PLUGIN_INVALID", path: "plugins../p.permissions.net" }),
    );
  });

  test("leaves out entries that grant nothing in process either", () => {
    expect(denoNet("p", ["http://x", ""])).toEqual({ allow: [], deny: [] });
  });
});

describe("childEnv", () => {
  test("holds only the granted variables that are set, NODE_ENV=production and DENO_DIR", () => {
    const env = { PATH: "/bin", SECRET: "s", TOKEN: "t", APP_A: "a", APP_B: "b", UNSET: undefined };
    expect(childEnv(["TOKEN", "APP_*", "UNSET"], env, "/cache/deno")).toEqual({
      TOKEN: "t",
      APP_A: "a",
      APP_B: "b",
      NODE_ENV: "production",
      DENO_DIR: "/cache/deno",
    });
  });
});

describe("denoNet, as Deno enforces it", () => {
  const deno = join(import.meta.dir, "..", "..", "..", "node_modules", ".bin", "deno");
  const script = join(makeTempDir("deno-net-"), "query.ts");
  writeFileSync(
    script,
    'for (const host of Deno.args) console.log(host, Deno.permissions.querySync({ name: "net", host }).state);',
  );
  const states = (net: string[], hosts: string[]) => {
    const { allow, deny } = denoNet("p", net);
    const flags = [
      ...(allow.length ? [`--allow-net=${allow.join(",")}`] : []),
      ...(deny.length ? [`--deny-net=${deny.join(",")}`] : []),
    ];
    const ran = Bun.spawnSync([deno, "run", "--no-prompt", "--no-config", ...flags, script, ...hosts], {
      env: { DENO_DIR: join(script, "..", "cache") },
    });
    return Object.fromEntries(
      ran.stdout
        .toString()
        .trim()
        .split("\n")
        .map((line) => line.split(" ")),
    );
  };

  test("grants exactly what netAllowed allows in process", () => {
    expect(
      states(
        ["*.example.com", "api.test", "127.0.0.1:8080"],
        [
          "a.example.com:443",
          "a.b.example.com:80",
          "a.example.com:8443",
          "example.com:443",
          "api.test:443",
          "api.test:8443",
          "127.0.0.1:8080",
          "127.0.0.1:8081",
        ],
      ),
    ).toEqual({
      "a.example.com:443": "granted",
      "a.b.example.com:80": "granted",
      "a.example.com:8443": "prompt",
      "example.com:443": "denied",
      "api.test:443": "granted",
      "api.test:8443": "prompt",
      "127.0.0.1:8080": "granted",
      "127.0.0.1:8081": "prompt",
    });
  });
});
