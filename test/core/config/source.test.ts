import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfigSource, readConfigSource } from "../../../core/config/source";
import { TesseraError } from "../../../core/errors/tessera-error";

const thrown = (run: () => unknown): TesseraError => {
  try {
    run();
  } catch (error) {
    if (error instanceof TesseraError) return error;
    throw error;
  }
  throw new Error("expected a TesseraError");
};

describe("parseConfigSource", () => {
  test("parses comments and trailing commas", () => {
    const source = parseConfigSource(
      "tessera.jsonc",
      `{
        // the port
        "server": { "port": 8080, }, /* block */
        "admins": ["a@example.com",],
      }`,
    );
    expect(source.value).toEqual({ server: { port: 8080 }, admins: ["a@example.com"] });
  });

  test("reports a syntax error as file:line:col", () => {
    const error = thrown(() => parseConfigSource("tessera.jsonc", '{\n  "server": {\n    "port" 3000\n  }\n}'));
    expect(error.code).toBe("ERR_CONFIG_PARSE");
    expect(error.message).toBe("tessera.jsonc:3:12: expected `:`");
  });

  test("rejects an empty file", () => {
    expect(thrown(() => parseConfigSource("tessera.jsonc", "  // nothing\n")).code).toBe("ERR_CONFIG_PARSE");
  });

  test("rejects a duplicate key at the second occurrence", () => {
    const error = thrown(() => parseConfigSource("tessera.jsonc", '{\n  "admins": [],\n  "admins": []\n}'));
    expect(error.message).toBe('tessera.jsonc:3:3: duplicate key "admins"');
  });

  test("locates a property at its key and a missing key at its parent object", () => {
    const source = parseConfigSource(
      "tessera.jsonc",
      '{\n  "plugins": {\n    "oidc": { "enabled": true }\n  },\n  "admins": ["x", "y"]\n}',
    );
    expect(source.locate(["plugins", "oidc", "enabled"])).toEqual({ line: 3, col: 15 });
    expect(source.locate(["plugins", "oidc", "issuer"])).toEqual({ line: 3, col: 5 });
    expect(source.locate(["admins", 1])).toEqual({ line: 5, col: 19 });
    expect(source.locate([])).toEqual({ line: 1, col: 1 });
  });

  test("keeps a __proto__ key as an ordinary key", () => {
    const source = parseConfigSource("tessera.jsonc", '{ "__proto__": { "polluted": true } }');
    expect(Object.getOwnPropertyNames(source.value)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(source.value)).toBe(Object.prototype);
  });
});

describe("readConfigSource", () => {
  test("reports a missing file as ERR_CONFIG_NOT_FOUND", () => {
    const error = thrown(() => readConfigSource("/nonexistent/tessera.jsonc"));
    expect(error.code).toBe("ERR_CONFIG_NOT_FOUND");
    expect(error.message).toContain("/nonexistent/tessera.jsonc");
  });

  test("names the file as given in errors", () => {
    const dir = mkdtempSync(join(tmpdir(), "tessera-config-"));
    writeFileSync(join(dir, "tessera.jsonc"), "{ ,}");
    const error = thrown(() => readConfigSource(join(dir, "tessera.jsonc"), "tessera.jsonc"));
    expect(error.message).toStartWith("tessera.jsonc:1:3:");
  });
});
