// Plugins' commands on the command line: listed and run only when their plugin is enabled, parsed
// strictly, run without setting up any plugin or opening a port.
import { afterAll, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { runCli } from "../../support/serve-process";
import { makeTempDir } from "../../support/test-runtime";

const fixtures = join(import.meta.dir, "..", "..", "fixtures", "plugins");
const dir = makeTempDir("plugin-cli-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Plugins by path run in process here: an isolated plugin's commands are not run.
const inProcess = (specifier: string) => (isAbsolute(specifier) ? { isolation: "none" } : {});

const config = (name: string, plugins: Record<string, unknown>) => {
  const file = join(dir, name);
  const sections = Object.fromEntries(
    Object.entries(plugins).map(([specifier, section]) => [specifier, { ...inProcess(specifier), ...(section as object) }]),
  );
  writeFileSync(file, JSON.stringify({ database: { url: `sqlite:./${name}.db` }, plugins: sections }));
  return file;
};

const withLedger = config("ledger.jsonc", {
  [join(fixtures, "ledger", "index.ts")]: { enabled: true, currency: "CHF" },
  [join(fixtures, "explodes-on-import.ts")]: { enabled: false },
  "api-key": { enabled: true },
  federation: { enabled: false },
});

describe("plugin commands", () => {
  test("--help lists the enabled plugins' commands with their usage, and never imports a disabled plugin", async () => {
    const result = await runCli(["--help", "--config", withLedger], dir);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("  users create --email E [--name N] [--admin]");
    expect(result.stdout).toMatch(/ {2}keys create --name N \[--scopes a,b\]\s+a new API key .*\(api-key\)/);
    expect(result.stdout).toMatch(/ {2}ledger add AMOUNT --memo TEXT \[--echo\]\s+adds an entry.*\(ledger\)/);
    expect(result.stdout).toMatch(/--memo TEXT\s+what the entry is for/);
    expect(result.stdout).not.toContain("peers add");
  });

  test("refuses an unknown command with a one-line reason, the usage and a non-zero exit", async () => {
    const result = await runCli(["peers", "add", "http://127.0.0.1:9", "--config", withLedger], dir);
    expect(result.code).toBe(1);
    const [reason, ...usage] = result.stderr.trimEnd().split("\n");
    expect(reason).toBe(
      `tessera: ERR_BAD_REQUEST: Unknown command "peers add" (not enabled in ${withLedger}: ${join(fixtures, "explodes-on-import.ts")}, federation)`,
    );
    expect(usage[0]).toBe("Usage: tessera <command> [--config FILE]");
    expect(usage.join("\n")).toContain("ledger add AMOUNT");
  });

  test("refuses an unknown flag of a plugin command, naming it, with the command's usage", async () => {
    const result = await runCli(["ledger", "add", "5", "--memo", "x", "--mmo", "y", "--config", withLedger], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'tessera: ERR_BAD_REQUEST: Unknown option "--mmo" (did you mean "--memo"?)\nUsage: tessera ledger add AMOUNT --memo TEXT [--echo] [--config FILE]\n',
    );
  });

  test("refuses a plugin command without its required flag or with an extra argument", async () => {
    const missing = await runCli(["ledger", "add", "5", "--config", withLedger], dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toStartWith("tessera: ERR_BAD_REQUEST: --memo is required\n");
    const extra = await runCli(["ledger", "add", "5", "6", "--memo", "x", "--config", withLedger], dir);
    expect(extra.code).toBe(1);
    expect(extra.stderr).toStartWith('tessera: ERR_BAD_REQUEST: "ledger add" does not take "6"\n');
  });

  test("runs a plugin command with its config and its migrated table, setting up no plugin", async () => {
    const first = await runCli(["ledger", "add", "5", "--memo", "coffee", "--echo", "--config", withLedger], dir);
    expect(first.stderr).toBe("added 5\n");
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ currency: "CHF", plugins: [], rows: [{ amount: 5, memo: "coffee" }] });
    const second = await runCli(["ledger", "add", "7", "--memo", "tea", "--config", withLedger], dir);
    expect(JSON.parse(second.stdout).rows).toEqual([
      { amount: 5, memo: "coffee" },
      { amount: 7, memo: "tea" },
    ]);
  });

  test("keys create keeps working as documented, from the api-key plugin", async () => {
    const result = await runCli(["keys", "create", "--name", "ci", "--scopes", "a,b", "--config", withLedger], dir);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ name: "ci", scopes: ["a", "b"] });
  });

  test("refuses a plugin command that takes a core command's name", async () => {
    const clash = config("clash.jsonc", { [join(fixtures, "clashing-command.ts")]: { enabled: true } });
    const result = await runCli(["--help", "--config", clash], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'tessera: ERR_PLUGIN_INVALID: Plugin "clashing" adds the command "migrate", which the core already has\n',
    );
  });
});
