// The Tessera CLI as the scenarios run it to prepare users, sessions and keys: from the source tree,
// in the scenario's directory, failing with what the CLI printed on stderr.
import { join } from "node:path";

export const TESSERA_MAIN = join(import.meta.dir, "..", "..", "..", "core", "main.ts");

export const runTessera = async (dir: string, ...args: string[]): Promise<string> => {
  const child = Bun.spawn([process.execPath, TESSERA_MAIN, ...args], { cwd: dir, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (code !== 0) throw new Error(`tessera ${args.join(" ")} failed: ${err}`);
  return out.trim();
};
