// `tessera users list|show|disable|enable|delete`, `sessions list|revoke` and `migrate --status`: run as
// an operator would, against the configured database, in a table or, with --json, for scripts.
import { afterAll, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../../support/serve-process";
import { makeTempDir } from "../../support/test-runtime";

const dir = makeTempDir("admin-cli-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const config = join(dir, "tessera.jsonc");
writeFileSync(config, JSON.stringify({ database: { url: "sqlite:./admin.db" }, plugins: { "api-key": { enabled: false } } }));

const cli = async (...args: string[]) => runCli([...args, "--config", config], dir);
const ok = async (...args: string[]) => {
  const result = await cli(...args);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return result.stdout;
};
const created = async (email: string, ...extra: string[]): Promise<string> =>
  JSON.parse(await ok("users", "create", "--email", email, ...extra)).id;

describe("admin CLI: users and sessions", () => {
  test("users list prints a table on a terminal and JSON with --json", async () => {
    const id = await created("ada@example.com", "--name", "Ada", "--admin");
    const table = await ok("users", "list");
    const [heading, row] = table.trimEnd().split("\n");
    expect(heading).toMatch(/^ID\s+EMAIL\s+NAME\s+ADMIN\s+GUEST OF\s+CREATED\s+DISABLED$/);
    expect(row).toMatch(new RegExp(`^${id}\\s+ada@example.com\\s+Ada\\s+yes\\s+-\\s+\\d{4}-\\d{2}-\\d{2}T[\\d:]+Z\\s+-$`));
    const json = JSON.parse(await ok("users", "list", "--json"));
    expect(json).toContainEqual(expect.objectContaining({ id, email: "ada@example.com", isAdmin: true, disabledAt: null }));
  });

  test("users show finds a user by id or email, with live sessions, and refuses an unknown one", async () => {
    const id = await created("grace@example.com");
    await ok("sessions", "create", "--email", "grace@example.com");
    const shown = JSON.parse(await ok("users", "show", "GRACE@example.com", "--json"));
    expect(shown).toMatchObject({ id, email: "grace@example.com", identities: [], workspaces: [], sessions: 1 });
    expect(await ok("users", "show", id)).toMatch(/^live sessions:\s+1$/m);
    const unknown = await cli("users", "show", "nobody@example.com");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe("tessera: ERR_NOT_FOUND: No user with the verified email nobody@example.com\n");
    const missing = await cli("users", "show");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toStartWith("tessera: ERR_BAD_REQUEST: users show expects a user's id or verified email");
  });

  test("a disabled user's sessions are revoked and no new one can be made; enable lets them back in", async () => {
    await created("mallory@example.com");
    await ok("sessions", "create", "--email", "mallory@example.com");
    await ok("sessions", "create", "--email", "mallory@example.com");
    expect(await ok("users", "disable", "mallory@example.com")).toBe("Disabled mallory@example.com; revoked 2 session(s)\n");
    expect(JSON.parse(await ok("sessions", "list", "--user", "mallory@example.com", "--json"))).toEqual([]);
    const refused = await cli("sessions", "create", "--email", "mallory@example.com");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toStartWith("tessera: ERR_FORBIDDEN: This account is disabled");
    const listed = JSON.parse(await ok("users", "list", "--json"));
    expect(listed.find((user: { email: string }) => user.email === "mallory@example.com").disabledAt).toBeNumber();
    expect(await ok("users", "enable", "mallory@example.com")).toBe("Enabled mallory@example.com\n");
    expect(await ok("sessions", "create", "--email", "mallory@example.com")).toStartWith("tss_");
  });

  test("sessions list shows live sessions without tokens; revoke takes an id or --user, not both or neither", async () => {
    const id = await created("linus@example.com");
    const token = (await ok("sessions", "create", "--email", "linus@example.com")).trim();
    await ok("sessions", "create", "--email", "linus@example.com");
    const table = await ok("sessions", "list", "--user", id);
    expect(table).toMatch(/^ID\s+USER\s+ISSUER\s+CREATED\s+LAST SEEN\s+EXPIRES$/m);
    expect(table).not.toContain(token);
    const sessions = JSON.parse(await ok("sessions", "list", "--user", "linus@example.com", "--json"));
    expect(sessions).toHaveLength(2);
    expect(JSON.stringify(sessions)).not.toContain("tss_");
    expect(await ok("sessions", "revoke", sessions[0].id)).toBe(`Revoked session ${sessions[0].id}\n`);
    const again = await cli("sessions", "revoke", sessions[0].id);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`tessera: ERR_NOT_FOUND: No live session with the id ${sessions[0].id}\n`);
    expect(await ok("sessions", "revoke", "--user", "linus@example.com")).toBe("Revoked 1 session(s) of linus@example.com\n");
    for (const args of [
      ["sessions", "revoke"],
      ["sessions", "revoke", sessions[1].id, "--user", id],
    ]) {
      const refused = await cli(...args);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toStartWith("tessera: ERR_BAD_REQUEST: sessions revoke expects a session id or --user, not both");
    }
  });

  test("users delete removes a user and their sessions (the only-owner refusal: admin-disable.test.ts)", async () => {
    const id = await created("temp@example.com");
    await ok("sessions", "create", "--email", "temp@example.com");
    expect(await ok("users", "delete", id)).toBe("Deleted temp@example.com; revoked 1 session(s)\n");
    expect((await cli("users", "show", id)).stderr).toBe(`tessera: ERR_NOT_FOUND: No user with the id ${id}\n`);
  });

  test("migrate --status lists every core migration as applied after migrate, and applies nothing itself", async () => {
    const fresh = join(dir, "status.jsonc");
    writeFileSync(fresh, JSON.stringify({ database: { url: "sqlite:./status.db" }, plugins: { "api-key": { enabled: false } } }));
    const before = JSON.parse((await runCli(["migrate", "--status", "--json", "--config", fresh], dir)).stdout);
    expect(before.length).toBeGreaterThan(8);
    expect(before.every((state: { applied: boolean }) => !state.applied)).toBe(true);
    expect(before).toContainEqual({ name: "0008_users_disabled", applied: false });
    expect((await runCli(["migrate", "--config", fresh], dir)).code).toBe(0);
    const table = (await runCli(["migrate", "--status", "--config", fresh], dir)).stdout;
    expect(table).toMatch(/^MIGRATION\s+STATE$/m);
    expect(table).toMatch(/^0008_users_disabled\s+applied$/m);
    expect(table).not.toContain("pending");
  });
});
