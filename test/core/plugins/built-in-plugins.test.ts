import { describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { BUILT_IN_PLUGINS, importBuiltIn, isBuiltIn } from "../../../core/plugins/built-in-plugins";

describe("the built-in plugins", () => {
  test("every folder under plugins/ is a built-in, imported by its name, and names itself so", async () => {
    const folders = readdirSync(join(import.meta.dir, "..", "..", "..", "plugins"), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect<string[]>([...BUILT_IN_PLUGINS].sort()).toEqual(folders.sort());
    for (const name of BUILT_IN_PLUGINS) {
      expect(await importBuiltIn(name)).toMatchObject({ default: { name } });
    }
  });

  test("only the built-in names are built-ins", () => {
    expect(isBuiltIn("console")).toBe(true);
    expect(isBuiltIn("./console")).toBe(false);
    expect(isBuiltIn("toString")).toBe(false);
  });
});
