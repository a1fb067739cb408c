// Built-in plugins are written the way a third party must write one: through `tessera/plugin*` and their
// own folder only, so a newcomer who copies a built-in gets a plugin that loads from outside the repository.
// The core, in turn, names plugins only in the built-in registry.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";

const root = join(import.meta.dir, "..", "..");
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  exports: Record<string, string>;
};

// Static imports and re-exports (`import x from`, `import "x"`, `export … from`) and dynamic `import("x")`.
const SPECIFIERS =
  /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/gm;

export const importsOf = (source: string): string[] =>
  [...source.matchAll(SPECIFIERS)].map((match) => match[1] ?? match[2]).filter((s): s is string => s !== undefined);

const packageOf = (specifier: string) =>
  specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : (specifier.split("/")[0] ?? specifier);

// `tessera/app` (the API's type for Eden) and `tessera/client` (the WebSocket client) are for the API's
// clients, not for plugins.
const CLIENT_ENTRIES = new Set(["tessera/app", "tessera/client"]);
const PUBLIC_API = new Set(
  Object.keys(manifest.exports)
    .map((entry) => `tessera${entry.slice(1)}`)
    .filter((entry) => !CLIENT_ENTRIES.has(entry)),
);

// A plugin's browser code (`web/`) is bundled into a page and never loaded by the runtime: it may use the
// WebSocket plugin's browser client and the wire types of the plugins the page talks to.
const BROWSER_SHARED = new Set(["plugins/websocket/client", "plugins/websocket/protocol", "plugins/coordinator/job"]);

/** Why a plugin file's import is not allowed, or null when it is. */
export const offence = (file: string, specifier: string): string | null => {
  if (specifier.startsWith(".")) {
    const pluginDir = file.split("/").slice(0, 2).join("/");
    const target = relative(root, resolve(root, dirname(file), specifier));
    if (target === pluginDir || target.startsWith(`${pluginDir}/`)) return null;
    return file.startsWith(`${pluginDir}/web/`) && BROWSER_SHARED.has(target) ? null : `leaves ${pluginDir}/ for ${target}`;
  }
  if (specifier === "tessera" || specifier.startsWith("tessera/")) {
    return specifier.startsWith("tessera/plugin") && PUBLIC_API.has(specifier) ? null : "is not the public plugin API";
  }
  if (specifier.startsWith("node:") || builtinModules.includes(specifier) || specifier === "bun") return null;
  return Object.hasOwn(manifest.dependencies, packageOf(specifier)) ? null : "is not a dependency in package.json";
};

const sources = (pattern: string) => [...new Bun.Glob(pattern).scanSync({ cwd: root })].sort();

describe("the public plugin API boundary", () => {
  test("refuses an import under plugins/ that reaches past the plugin's folder and the public API", () => {
    const offenders = sources("plugins/**/*.{ts,tsx,js,mjs}").flatMap((file) =>
      importsOf(readFileSync(join(root, file), "utf8")).flatMap((specifier) => {
        const why = offence(file, specifier);
        return why ? [`${file}: "${specifier}" ${why}`] : [];
      }),
    );
    expect(offenders).toEqual([]);
  });

  test("refuses a core module that imports a plugin outside the built-in registry", () => {
    const offenders = sources("core/**/*.ts").flatMap((file) =>
      file === "core/plugins/built-in-plugins.ts"
        ? []
        : importsOf(readFileSync(join(root, file), "utf8"))
            .filter(
              (specifier) =>
                specifier.startsWith(".") && relative(root, resolve(root, dirname(file), specifier)).startsWith("plugins/"),
            )
            .map((specifier) => `${file}: "${specifier}"`),
    );
    expect(offenders).toEqual([]);
  });

  test("the check itself catches a deep import, a sibling plugin and an undeclared package", () => {
    expect(offence("plugins/oidc/sign-in.ts", "../../core/identity/sessions")).toBe(
      "leaves plugins/oidc/ for core/identity/sessions",
    );
    expect(offence("plugins/oidc/routes/login.ts", "../../websocket/hub")).toBe("leaves plugins/oidc/ for plugins/websocket/hub");
    expect(offence("plugins/oidc/routes/login.ts", "../cookies")).toBeNull();
    expect(offence("plugins/console/web/live.ts", "../../websocket/client")).toBeNull();
    expect(offence("plugins/console/live.ts", "../websocket/client")).toBe(
      "leaves plugins/console/ for plugins/websocket/client",
    );
    expect(offence("plugins/console/web/live.ts", "../../websocket/hub")).toBe(
      "leaves plugins/console/ for plugins/websocket/hub",
    );
    expect(offence("plugins/oidc/sign-in.ts", "tessera/plugin/identity")).toBeNull();
    expect(offence("plugins/oidc/sign-in.ts", "tessera/plugin/internals")).toBe("is not the public plugin API");
    expect(offence("plugins/oidc/sign-in.ts", "left-pad")).toBe("is not a dependency in package.json");
    expect(offence("plugins/oidc/sign-in.ts", "@sinclair/typebox/compiler")).toBeNull();
    expect(importsOf('import type { A } from "x";\nexport { b } from "./y";\nimport "z";\nconst m = import("w");')).toEqual([
      "x",
      "./y",
      "z",
      "w",
    ]);
  });

  test("every public entry point the package exports is one the host provides to plugins from outside", async () => {
    const { HOST_MODULES } = await import("../../core/plugins/host-modules");
    expect(
      Object.keys(HOST_MODULES)
        .filter((specifier) => specifier.startsWith("tessera"))
        .sort(),
    ).toEqual([...PUBLIC_API].sort());
  });
});
