import { describe, expect, test } from "bun:test";
import { keysCreate } from "../../../plugins/api-key/cli";
import { hashApiKey } from "../../../plugins/api-key/keyring";

describe("tessera keys create", () => {
  test("prints the name, the new key once, its config hash and the scopes as one JSON line", () => {
    const printed = keysCreate({ name: "coordinator", scopes: "coordinator, jobs.read,,coordinator" });
    expect(printed).not.toContain("\n");
    const output = JSON.parse(printed);
    expect(Object.keys(output)).toEqual(["name", "key", "hash", "scopes"]);
    expect(output.name).toBe("coordinator");
    expect(output.key).toMatch(/^tsk_[\w-]{43}$/);
    expect(output.hash).toBe(hashApiKey(output.key));
    expect(output.scopes).toEqual(["coordinator", "jobs.read"]);
  });

  test("scopes are optional", () => {
    expect(JSON.parse(keysCreate({ name: "bot" })).scopes).toEqual([]);
  });

  test("refuses a missing or malformed name and malformed scopes with a coded error", () => {
    expect(() => keysCreate({})).toThrow(expect.objectContaining({ code: "ERR_BAD_REQUEST", message: "--name is required" }));
    expect(() => keysCreate({ name: "has space" })).toThrow(expect.objectContaining({ code: "ERR_BAD_REQUEST" }));
    expect(() => keysCreate({ name: "ok", scopes: "fine,not fine" })).toThrow(/--scopes .*"not fine"/);
  });
});
