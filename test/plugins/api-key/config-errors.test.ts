import { describe, expect, test } from "bun:test";
import { formatPath } from "../../../core/config/json-path";
import { generateApiKey, hashApiKey } from "../../../plugins/api-key/keyring";
import { startTestRuntime } from "../../support/test-runtime";

const hash = () => hashApiKey(generateApiKey());

const startWith = (section: Record<string, unknown>) =>
  startTestRuntime({ plugins: { "api-key": { enabled: true, ...section } } });

/** The start-up error, asserting that start-up did fail. */
const failure = async (section: Record<string, unknown>) => {
  const error = await startWith(section).then(
    async (t) => {
      await t.close();
      throw new Error("start-up succeeded");
    },
    (reason: unknown) => reason,
  );
  expect(error).toMatchObject({ code: "ERR_CONFIG_INVALID" });
  return error as Error & { path?: string };
};

describe("api-key config errors stop start-up", () => {
  test("a protected prefix that no key can reach names the prefix and the missing scope", async () => {
    const error = await failure({
      keys: [{ name: "bot", hash: hash(), scopes: ["chat"] }],
      protect: { "/coordinator": "coordinator" },
    });
    expect(error.path).toBe('plugins.api-key.protect["/coordinator"]');
    expect(error.message).toContain('no unexpired key has the "coordinator" scope');
    expect(error.message).toContain("tessera keys create --name <name> --scopes coordinator");
  });

  test("a key that expired already does not count for a protected prefix", async () => {
    const error = await failure({
      keys: [{ name: "old", hash: hash(), scopes: ["coordinator"], notAfter: "2020-01-01T00:00:00Z" }],
      protect: { "/coordinator": "coordinator" },
    });
    expect(error.path).toBe('plugins.api-key.protect["/coordinator"]');
  });

  test("a malformed hash is refused at its path without echoing the value", async () => {
    const error = await failure({
      keys: [
        { name: "good", hash: hash(), scopes: [] },
        { name: "bad", hash: "sha256:not-hex-tsk_secretish", scopes: [] },
      ],
    });
    expect(error.path).toBe("plugins.api-key.keys[1].hash");
    expect(error.message).not.toContain("not-hex");
  });

  test("a hash in another algorithm or with upper-case hex is malformed", async () => {
    expect((await failure({ keys: [{ name: "a", hash: `md5:${"a".repeat(32)}` }] })).path).toBe("plugins.api-key.keys[0].hash");
    expect((await failure({ keys: [{ name: "a", hash: `sha256:${"A".repeat(64)}` }] })).path).toBe(
      "plugins.api-key.keys[0].hash",
    );
  });

  test("duplicate names and duplicate keys are refused at the later entry", async () => {
    const same = hash();
    const error = await failure({
      keys: [
        { name: "one", hash: same, scopes: [] },
        { name: "two", hash: same, scopes: [] },
        { name: "one", hash: hash(), scopes: [] },
      ],
    });
    expect(error.message).toContain("plugins.api-key.keys[1].hash: the same key as keys[0]");
    expect(error.message).toContain('plugins.api-key.keys[2].name: "one" is already the name of keys[0]');
  });

  test("an impossible or zone-less notAfter is refused", async () => {
    expect((await failure({ keys: [{ name: "a", hash: hash(), notAfter: "2026-13-45" }] })).path).toBe(
      "plugins.api-key.keys[0].notAfter",
    );
    expect((await failure({ keys: [{ name: "a", hash: hash(), notAfter: "2026-01-01T10:00" }] })).path).toBe(
      "plugins.api-key.keys[0].notAfter",
    );
  });

  test("a prefix with parameters, wildcards or no leading slash is refused", async () => {
    const keys = [{ name: "a", hash: hash(), scopes: ["s"] }];
    for (const prefix of ["coordinator", "/jobs/:id", "/jobs/*", "/"]) {
      expect((await failure({ keys, protect: { [prefix]: "s" } })).path).toBe(
        formatPath(["plugins", "api-key", "protect", prefix]),
      );
    }
  });

  test("the same prefix twice (with and without a trailing slash) is refused", async () => {
    const error = await failure({
      keys: [{ name: "a", hash: hash(), scopes: ["s"] }],
      protect: { "/coordinator": "s", "/coordinator/": "s" },
    });
    expect(error.path).toBe('plugins.api-key.protect["/coordinator/"]');
  });

  test("unknown keys in the section are refused", async () => {
    expect((await failure({ keys: [], protected: {} })).message).toContain("plugins.api-key.protected");
  });

  test("a valid config starts, with keys that expire in the future", async () => {
    const t = await startWith({
      keys: [{ name: "a", hash: hash(), scopes: ["s"], notAfter: "2999-01-01" }],
      protect: { "/coordinator/": "s" },
    });
    expect(t.runtime.plugins.map((plugin) => [plugin.name, plugin.state])).toEqual([["api-key", "started"]]);
    await t.close();
  });
});
