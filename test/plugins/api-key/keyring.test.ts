import { describe, expect, test } from "bun:test";
import { generateApiKey, hashApiKey, matchKey, storedKey } from "../../../plugins/api-key/keyring";

describe("API keys", () => {
  test("a generated key is 256 random bits behind the tsk_ prefix, never the same twice", () => {
    const key = generateApiKey();
    expect(key).toMatch(/^tsk_[\w-]{43}$/);
    expect(Buffer.from(key.slice(4), "base64url")).toHaveLength(32);
    expect(generateApiKey()).not.toBe(key);
  });

  test("the config hash is sha256: and the lower-case hex digest of the whole key", () => {
    expect(hashApiKey("tsk_example")).toBe(`sha256:${new Bun.CryptoHasher("sha256").update("tsk_example").digest("hex")}`);
    expect(hashApiKey(generateApiKey())).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  test("matches the presented key against every configured hash, whichever position it holds", () => {
    const keys = ["a", "b", "c"].map((name) => ({ name, key: generateApiKey() }));
    const stored = keys.map(({ name, key }) => storedKey(name, hashApiKey(key), [], null));
    for (const { name, key } of keys) expect(matchKey(stored, key)?.name).toBe(name);
    expect(matchKey(stored, generateApiKey())).toBeUndefined();
    expect(matchKey([], generateApiKey())).toBeUndefined();
  });
});
