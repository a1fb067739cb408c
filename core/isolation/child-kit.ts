// Where an isolated plugin's child finds its program and the modules the plugin may import: the source
// tree when Tessera runs from source; from the single binary, the bundle it carries, written once into the
// cache folder (by content, so two versions never mix) because Deno loads modules from disk.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type PrebuiltKit, prebuiltKit } from "./kit-prebuilt";

/** The child's program ("main") and the specifiers a plugin imports, with their source files. */
export const KIT_ENTRIES = {
  main: "core/isolation/child/main.ts",
  "tessera/plugin": "core/plugin-api/index.ts",
  "tessera/plugin/db": "core/plugin-api/db.ts",
  "tessera/plugin/identity": "core/plugin-api/identity.ts",
  "tessera/errors": "core/errors/tessera-error.ts",
  elysia: "node_modules/elysia/dist/index.mjs",
} as const;

export interface ChildKit {
  /** The file Deno runs. */
  main: string;
  /** Import-map entries: each specifier a plugin may import → an absolute file. */
  imports: Record<string, string>;
  /** The child's working directory: where bare imports of the core's own modules resolve. */
  cwd: string;
  /** "source" or "bundled", for the start-up log. */
  kind: "source" | "bundled";
}

const ROOT = join(import.meta.dir, "..", "..");

const withImports = (main: string, resolve: (relative: string) => string, cwd: string, kind: ChildKit["kind"]): ChildKit => {
  const imports: Record<string, string> = {};
  for (const [specifier, file] of Object.entries(KIT_ENTRIES)) if (specifier !== "main") imports[specifier] = resolve(file);
  return { main, imports, cwd, kind };
};

const extract = (kit: PrebuiltKit, cacheDir: string): ChildKit => {
  const digest = createHash("sha256").update(JSON.stringify(kit.files)).digest("hex").slice(0, 16);
  const folder = join(cacheDir, `kit-${digest}`);
  if (!existsSync(folder)) {
    // Written beside, then renamed: two processes starting at once never see half a kit.
    const partial = `${folder}.${process.pid}.partial`;
    rmSync(partial, { recursive: true, force: true });
    for (const [path, contents] of Object.entries(kit.files)) {
      mkdirSync(dirname(join(partial, path)), { recursive: true });
      writeFileSync(join(partial, path), contents);
    }
    try {
      renameSync(partial, folder);
    } catch (error) {
      rmSync(partial, { recursive: true, force: true });
      if (!existsSync(folder)) throw error;
    }
  }
  const entry = (source: string) => {
    const [specifier] = Object.entries(KIT_ENTRIES).find(([, file]) => file === source) ?? [];
    const bundled = specifier === undefined ? undefined : kit.entries[specifier];
    if (bundled === undefined) throw new Error(`the binary's child kit lacks ${source}`);
    return join(folder, bundled);
  };
  return withImports(entry(KIT_ENTRIES.main), entry, folder, "bundled");
};

/** The kit for this process: the source tree, or the binary's bundle written under `cacheDir`. */
export const childKit = (cacheDir: string, prebuilt: PrebuiltKit | undefined = prebuiltKit): ChildKit =>
  prebuilt ? extract(prebuilt, cacheDir) : withImports(join(ROOT, KIT_ENTRIES.main), (file) => join(ROOT, file), ROOT, "source");
