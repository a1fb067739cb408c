// A command line the CLI cannot run: one line saying why, in the CLI's own words (not node's parseArgs
// text), with a near miss suggested, then the usage, and exit 1.
import { afterAll, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../../support/serve-process";
import { makeTempDir } from "../../support/test-runtime";

const dir = makeTempDir("command-line-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, "tessera.jsonc");
writeFileSync(file, JSON.stringify({ database: { url: "sqlite:./cli.db" }, plugins: {} }));

const refused = async (args: string[]) => {
  const result = await runCli([...args, "--config", file], dir);
  expect(result.code).toBe(1);
  expect(result.stdout).toBe("");
  const [reason, ...usage] = result.stderr.trimEnd().split("\n");
  return { reason, usage: usage.join("\n") };
};

describe("the command line", () => {
  test("refuses an unknown flag of a core command with a one-line reason, a suggestion and the command's usage", async () => {
    const { reason, usage } = await refused(["serve", "--prot", "3000"]);
    expect(reason).toBe('tessera: ERR_BAD_REQUEST: Unknown option "--prot" (did you mean "--port"?)');
    expect(usage).toStartWith("Usage: tessera serve [--port N] [--hostname H]");
    expect(usage).toEndWith("[--config FILE]");
  });

  test("refuses an unknown flag far from every declared one without a suggestion", async () => {
    const { reason, usage } = await refused(["check", "--bogus"]);
    expect(reason).toBe('tessera: ERR_BAD_REQUEST: Unknown option "--bogus"');
    expect(usage).toBe("Usage: tessera check [--config FILE]");
  });

  test("refuses a flag that needs a value and got none, in its own words", async () => {
    const { reason, usage } = await refused(["users", "create", "--email"]);
    expect(reason).toBe("tessera: ERR_BAD_REQUEST: --email expects a value");
    expect(usage).toStartWith("Usage: tessera users create --email E");
  });

  test("refuses a value given to a switch", async () => {
    const { reason } = await refused(["users", "create", "--email", "a@example.org", "--admin=yes"]);
    expect(reason).toBe("tessera: ERR_BAD_REQUEST: --admin takes no value");
  });

  test("refuses an option before any command as an option, not as an unknown command", async () => {
    const { reason, usage } = await refused(["--verison"]);
    expect(reason).toBe('tessera: ERR_BAD_REQUEST: Unknown option "--verison" (did you mean "--version"?)');
    expect(usage).toStartWith("Usage: tessera <command> [--config FILE]");
  });

  test("suggests the command a mistyped one is near", async () => {
    expect((await refused(["chek"])).reason).toBe('tessera: ERR_BAD_REQUEST: Unknown command "chek" (did you mean "check"?)');
    expect((await refused(["users", "craete", "--email", "a@example.org"])).reason).toBe(
      'tessera: ERR_BAD_REQUEST: Unknown command "users craete" (did you mean "users create"?)',
    );
  });
});
