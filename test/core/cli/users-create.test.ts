// `tessera users create --email` takes an email address or nothing: the operator vouches for the
// address, so a typo would become a verified email that no one can receive mail at.
import { afterAll, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../../support/serve-process";
import { makeTempDir } from "../../support/test-runtime";

const dir = makeTempDir("users-create-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, "tessera.jsonc");
writeFileSync(file, JSON.stringify({ database: { url: "sqlite:./users.db" }, plugins: {} }));

describe("users create", () => {
  test.each([
    "",
    "notanemail",
    "two@at@example.org",
    "@example.org",
    "ada@",
    "ada lovelace@example.org",
    "ada@exa mple.org",
    "ada@.org",
    "ada@example..org",
  ])("refuses --email %p, which is not an email address", async (email) => {
    const result = await runCli(["users", "create", "--email", email, "--config", file], dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(`tessera: ERR_VALIDATION: "${email}" is not an email address (name@domain)\n`);
  });

  test("creates a user whose --email is an address, lower-cased", async () => {
    const result = await runCli(["users", "create", "--email", "Ada@Example.org", "--config", file], dir);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ email: "ada@example.org" });
  });
});
