// What an operator sees when a plugin named in config cannot be used: a near miss of a built-in's name
// is suggested, and a plugin file that does not compile shows its errors, each at its file:line:column.
import { afterAll, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { resolvePlugin } from "../../../core/plugins/resolve-plugin";
import { makeTempDir } from "../../support/test-runtime";

const dir = makeTempDir("resolve-plugin-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("resolvePlugin", () => {
  test("suggests the built-in an unknown plugin name is a typo of", async () => {
    const failure = resolvePlugin("websockt", dir);
    await expect(failure).rejects.toMatchObject({ code: "ERR_PLUGIN_NOT_FOUND", path: "plugins.websockt" });
    await expect(failure).rejects.toThrow(/^Unknown plugin "websockt" \(did you mean "websocket"\?\): not a built-in/);
  });

  test("suggests nothing for a name far from every built-in", async () => {
    const failure = resolvePlugin("billing", dir);
    await expect(failure).rejects.toMatchObject({ code: "ERR_PLUGIN_NOT_FOUND" });
    await expect(failure).rejects.not.toThrow(/did you mean/);
  });

  test("shows each syntax error of a plugin file at its file:line:column instead of an AggregateError count", async () => {
    const file = join(dir, "broken.ts");
    writeFileSync(file, 'export default {\n  name: "broken",,\n  version: 1 2\n};\n');
    const failure = resolvePlugin(file, dir);
    await expect(failure).rejects.toMatchObject({ code: "ERR_PLUGIN_INVALID", path: `plugins.${file}` });
    const message = await failure.then(
      () => "",
      (error: Error) => error.message,
    );
    expect(message).not.toContain("AggregateError");
    expect(message).toStartWith(`Plugin "${file}" failed to load:`);
    expect(message).toContain(`${file}:2:18: Expected identifier but found ","`);
    expect(message).toContain(`${file}:3:14: Expected "}" but found "2"`);
  });

  test("shows where an import of a plugin file cannot be found", async () => {
    const file = join(dir, "missing-import.ts");
    writeFileSync(file, 'import { nothing } from "./not-there";\nexport default nothing;\n');
    const message = await resolvePlugin(file, dir).then(
      () => "",
      (error: Error) => error.message,
    );
    expect(message).toStartWith(`Plugin "${file}" failed to load:`);
    expect(message).toContain("not-there");
    expect(message).not.toContain("AggregateError");
  });
});
