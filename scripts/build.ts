// `npm run build [-- --outfile FILE]`: compiles Tessera, Bun and the built-in plugins into one
// executable, dist/tessera (linux-x64). What a source checkout reads from disk at run time goes
// inside: the migrations as files under their own paths, the console's prebuilt script and page, the
// isolated plugins' child kit, and the commit it was built from.
import { statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { BunPlugin } from "bun";
import { readSources } from "../plugins/console/assets";
import { bundleChildKit } from "./bundle-child-kit";

const root = join(import.meta.dir, "..");
const { values } = parseArgs({ options: { outfile: { type: "string" } } });
const outfile = resolve(values.outfile ?? join(root, "dist", "tessera"));

const commit = (): string => {
  if (process.env.TESSERA_COMMIT) return process.env.TESSERA_COMMIT;
  const head = Bun.spawnSync(["git", "rev-parse", "--short=12", "HEAD"], { cwd: root });
  if (head.exitCode !== 0) return "unknown";
  const dirty = Bun.spawnSync(["git", "status", "--porcelain", "--untracked-files=no"], { cwd: root }).stdout.length > 0;
  return `${head.stdout.toString().trim()}${dirty ? "-dirty" : ""}`;
};

// drizzle reads a migrations folder: its SQL files and meta/_journal.json, found from core/db/migrate.ts.
const MIGRATIONS = ["core/db/migrations/*/*.sql", "core/db/migrations/*/meta/_journal.json"];

const embedding = (replaced: Record<string, string>): BunPlugin => ({
  name: "tessera-binary",
  setup(build) {
    // Modules that stand in for what only a build knows (core/runtime/build-info.ts, plugins/console/prebuilt.ts).
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const contents = replaced[relative(root, args.path)];
      return contents === undefined ? undefined : { contents, loader: "ts" };
    });
    // An entry point is embedded as a file, except JSON, which would become a module.
    build.onLoad({ filter: /_journal\.json$/ }, async (args) => ({ contents: await Bun.file(args.path).text(), loader: "file" }));
  },
});

const started = performance.now();
const result = await Bun.build({
  entrypoints: [
    join(root, "core", "binary.ts"),
    // A Worker's script is found in the executable only as an entry point of its own (core/isolation/database/sqlite-thread.ts).
    join(root, "core", "isolation", "database", "sqlite-worker.ts"),
    ...MIGRATIONS.flatMap((pattern) => [...new Bun.Glob(pattern).scanSync({ cwd: root, absolute: true })]),
  ],
  root,
  compile: { target: "bun-linux-x64", outfile },
  // Embedded files keep their paths under the root, so a migrations folder stays a folder.
  naming: { asset: "[dir]/[name].[ext]" },
  // Names stay, so a stack trace in the log still says where.
  minify: { whitespace: true, syntax: true },
  plugins: [
    embedding({
      "core/runtime/build-info.ts": `export const buildInfo = ${JSON.stringify({ binary: true, commit: commit() })};`,
      "plugins/console/prebuilt.ts": `export const prebuilt = ${JSON.stringify(await readSources())};`,
      "core/isolation/kit-prebuilt.ts": `export const prebuiltKit = ${JSON.stringify(await bundleChildKit())};`,
    }),
  ],
});
if (!result.success) {
  for (const log of result.logs) console.error(log);
  process.exit(1);
}
const megabytes = (statSync(outfile).size / 1024 / 1024).toFixed(1);
console.log(`${values.outfile ?? "dist/tessera"}: ${megabytes} MB, built in ${Math.round(performance.now() - started)} ms`);
