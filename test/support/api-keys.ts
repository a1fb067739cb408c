// API keys as a self-hoster makes them: `keys create` is the api-key plugin's command, so it runs
// against a config that enables that plugin (no keys yet), and prints the key once and its hash.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "./serve-process";
import { makeTempDir } from "./test-runtime";

export interface IssuedKey {
  name: string;
  key: string;
  hash: string;
  scopes: string[];
}

export const issueApiKey = async (name: string, scopes: string): Promise<IssuedKey> => {
  const dir = makeTempDir("keys-");
  writeFileSync(
    join(dir, "tessera.jsonc"),
    JSON.stringify({ database: { url: "sqlite::memory:" }, plugins: { "api-key": { enabled: true } } }),
  );
  const result = await runCli(["keys", "create", "--name", name, "--scopes", scopes], dir);
  if (result.code !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as IssuedKey;
};
