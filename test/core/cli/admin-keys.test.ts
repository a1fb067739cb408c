// `tessera keys list`: the configured API keys with their last use, which the running servers store in
// the shared kv table off the request path (at most once a key per interval), never a key's hash.
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Database } from "../../../core/db/database";
import { openDatabase } from "../../../core/db/open-database";
import { createLogger } from "../../../core/log/json-logger";
import { hashApiKey, storedKey } from "../../../plugins/api-key/keyring";
import { readLastUses, storeLastUse } from "../../../plugins/api-key/last-use";
import { testDialects } from "../../support/databases";
import { runCli } from "../../support/serve-process";
import { makeTempDir } from "../../support/test-runtime";

const dir = makeTempDir("admin-keys-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const open: Database[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) await db.close();
});
const log = createLogger({ level: "error", write: () => undefined });

for (const { dialect, migrated } of await testDialects()) {
  describe(`API keys' last use (${dialect})`, () => {
    test("stores a key's use once per change, and never lets an older use overwrite a newer one", async () => {
      const db = await migrated();
      open.push(db);
      const key = storedKey("ci", hashApiKey("tsk_whatever"), [], null, null);
      const store = storeLastUse(db, [key], log, 3_600_000);
      await store.flush();
      expect(await readLastUses(db)).toEqual(new Map());
      key.lastUsedAt = 2_000_000_000_000;
      await store.flush();
      expect(await readLastUses(db)).toEqual(new Map([["ci", 2_000_000_000_000]]));
      // Another instance, whose last use of the same key was earlier, flushes after this one.
      const other = storedKey("ci", hashApiKey("tsk_whatever"), [], null, null);
      other.lastUsedAt = 1_999_999_000_000;
      await storeLastUse(db, [other], log, 3_600_000).stop();
      expect(await readLastUses(db)).toEqual(new Map([["ci", 2_000_000_000_000]]));
      key.lastUsedAt = 2_000_000_060_000;
      await store.stop();
      expect(await readLastUses(db)).toEqual(new Map([["ci", 2_000_000_060_000]]));
    });
  });
}

describe("keys list", () => {
  const config = join(dir, "keys.jsonc");
  const hash = hashApiKey("tsk_secret-one-that-is-long-enough-000");
  writeFileSync(
    config,
    JSON.stringify({
      database: { url: "sqlite:./keys.db" },
      plugins: {
        "api-key": {
          enabled: true,
          keys: [
            { name: "ci", hash, scopes: ["jobs:write", "agents"] },
            {
              name: "old",
              hash: hashApiKey("tsk_secret-two-that-is-long-enough-000"),
              scopes: [],
              notAfter: "2030-01-01",
              workspaces: ["w1"],
            },
          ],
        },
      },
    }),
  );

  test("lists names, scopes, workspaces, expiry and the stored last use, in a table or as JSON, never a hash", async () => {
    expect((await runCli(["migrate", "--config", config], dir)).code).toBe(0);
    const db = await openDatabase(`sqlite:${join(dir, "keys.db")}`);
    const used = storedKey("ci", hash, [], null, null);
    used.lastUsedAt = Date.parse("2026-03-04T05:06:07Z");
    await storeLastUse(db, [used], log).stop();
    await db.close();

    const table = await runCli(["keys", "list", "--config", config], dir);
    expect(table.stderr).toBe("");
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+SCOPES\s+WORKSPACES\s+NOT AFTER\s+LAST USED$/);
    expect(lines[1]).toMatch(/^ci\s+jobs:write,agents\s+all\s+-\s+2026-03-04T05:06:07Z$/);
    expect(lines[2]).toMatch(/^old\s+-\s+w1\s+2030-01-01\s+-$/);
    expect(table.stdout).not.toContain("sha256:");

    const json = await runCli(["keys", "list", "--json", "--config", config], dir);
    expect(JSON.parse(json.stdout)).toEqual([
      {
        name: "ci",
        scopes: ["jobs:write", "agents"],
        workspaces: null,
        notAfter: null,
        lastUsedAt: Date.parse("2026-03-04T05:06:07Z"),
      },
      { name: "old", scopes: [], workspaces: ["w1"], notAfter: "2030-01-01", lastUsedAt: null },
    ]);
  });
});
