// Bundles the isolated plugins' child kit (core/isolation/child-kit.ts) for the single binary: the child's
// program and the modules a plugin imports, split so that they share one copy of what they have in common
// (one TesseraError class, one Elysia) as they do from source.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import type { BunPlugin } from "bun";
import { KIT_ENTRIES } from "../core/isolation/child-kit";
import type { PrebuiltKit } from "../core/isolation/kit-prebuilt";

const root = join(import.meta.dir, "..");

// jsonc-parser's "main" is a UMD build whose factory requires its parts at run time, which Deno resolves
// by reading the kit's folder, outside what a child may read; its ES module build bundles whole.
const esmOnly: BunPlugin = {
  name: "esm-only",
  setup(build) {
    build.onResolve({ filter: /^jsonc-parser$/ }, () => ({ path: join(root, "node_modules/jsonc-parser/lib/esm/main.js") }));
  },
};

const bundledName = (source: string) => source.replace(/\.(ts|mjs)$/, ".js");

export const bundleChildKit = async (): Promise<PrebuiltKit> => {
  const outdir = mkdtempSync(join(tmpdir(), "tessera-kit-"));
  try {
    const result = await Bun.build({
      entrypoints: Object.values(KIT_ENTRIES).map((file) => join(root, file)),
      outdir,
      root,
      splitting: true,
      target: "node",
      format: "esm",
      naming: { entry: "[dir]/[name].js", chunk: "chunks/[hash].js" },
      // The plugin itself: the core's import map names it for each child.
      external: ["tessera-isolated:plugin"],
      plugins: [esmOnly],
    });
    if (!result.success) throw new AggregateError(result.logs, "bundling the isolated plugins' child kit failed");
    const files: Record<string, string> = {};
    for (const output of result.outputs) files[relative(outdir, output.path)] = readFileSync(output.path, "utf8");
    const entries: Record<string, string> = {};
    for (const [specifier, source] of Object.entries(KIT_ENTRIES)) {
      const name = bundledName(source);
      if (!(name in files)) throw new Error(`the child kit's bundle has no ${name} for ${source}`);
      entries[specifier] = name;
    }
    return { files, entries };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
};
