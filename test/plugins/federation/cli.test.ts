// The federation's part of the CLI: `check` on a fresh database, and `peers add` refusing what it must.
import { afterAll, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../../support/serve-process";
import { makeTempDir } from "../../support/test-runtime";

const dir = makeTempDir("fed-cli-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = (name: string, federation: Record<string, unknown>) => {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify({ database: { url: `sqlite:./${name}.db` }, plugins: { federation } }));
  return file;
};
const enabled = config("on.jsonc", {
  enabled: true,
  peers: { allowedHosts: ["127.0.0.1:9"] },
  agents: { types: { echo: { command: ["bun", "scripts/agents/echo.ts"] } } },
});

describe("the federation on the command line", () => {
  test("check passes on a database that was never migrated, printing the plugin's grants", async () => {
    const result = await runCli(["check", "--config", enabled], dir);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/federation\s+1\.0\.0\s+set up\s+none\s+127\.0\.0\.1:9/);
  });

  test("peers add needs a URL", async () => {
    const result = await runCli(["peers", "add", "--config", enabled], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("peers add expects the peer's URL");
  });

  test("peers add refuses a host outside allowedHosts, naming the setting", async () => {
    const result = await runCli(["peers", "add", "https://evil.example.com", "--config", enabled], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "tessera: ERR_FED_NOT_GRANTED: evil.example.com is not among the hosts peers may live on; add it to plugins.federation.peers.allowedHosts\n",
    );
  });

  test("peers add says when the peer can't be reached, and keeps nothing", async () => {
    const result = await runCli(["peers", "add", "http://127.0.0.1:9", "--config", enabled], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toStartWith("tessera: ERR_FED_UNREACHABLE: http://127.0.0.1:9/.well-known/tessera could not be read");
  });

  test("peers add with the plugin off is an unknown command naming the plugin that is not enabled", async () => {
    const result = await runCli(["peers", "add", "http://127.0.0.1:9", "--config", config("off.jsonc", { enabled: false })], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toStartWith('tessera: ERR_BAD_REQUEST: Unknown command "peers add" (not enabled in ');
    expect(result.stderr).toContain("off.jsonc: federation)");
  });
});
