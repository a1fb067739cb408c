// Cold start of the release artefact: the single binary from `npm run build` against `bun core/main.ts`,
// both to the first 200 from /readyz with every built-in plugin on a fresh SQLite database.
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalIssuer } from "../lib/local-issuer";
import type { Scenario } from "../lib/scenario";
import { coldContender, presentPlugins } from "./cold-start";

const root = join(import.meta.dir, "..", "..", "..");

const buildBinary = async (outfile: string): Promise<void> => {
  const build = Bun.spawn([process.execPath, join(root, "scripts", "build.ts"), "--outfile", outfile], {
    cwd: root,
    stdout: "pipe",
    stderr: "pipe",
  });
  if ((await build.exited) !== 0) throw new Error(`the build failed:\n${await new Response(build.stderr).text()}`);
};

export const coldStartBinary: Scenario = {
  name: "cold-start-binary",
  title: "Cold start to /readyz: single binary vs bun core/main.ts (fresh SQLite)",
  unit: "ms",
  higherIsBetter: false,
  async prepare() {
    const dir = mkdtempSync(join(tmpdir(), "tessera-cold-binary-"));
    const binary = join(dir, "tessera");
    await buildBinary(binary);
    const issuer = await startLocalIssuer();
    writeFileSync(join(dir, "tessera.jsonc"), JSON.stringify({ log: { level: "warn" }, plugins: presentPlugins(issuer.issuer) }));
    console.log(`cold-start-binary: the binary is ${(statSync(binary).size / 1024 / 1024).toFixed(1)} MB`);
    return {
      contenders: [
        coldContender("binary", () => [binary, "serve", "--port", "0"], dir, true),
        coldContender(
          "bun core/main.ts",
          () => [process.execPath, join(root, "core", "main.ts"), "serve", "--port", "0"],
          dir,
          true,
        ),
      ],
      cleanup: async () => {
        issuer.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};
