import { describe, expect, test } from "bun:test";
import { Type } from "@sinclair/typebox";
import { isRecord } from "../../../core/config/json-path";
import { configJsonSchema } from "../../../core/config/json-schema";

const at = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), value);

const plugins = [
  {
    name: "websocket",
    config: Type.Object({ path: Type.String({ default: "/ws" }), authTimeoutMs: Type.Integer({ minimum: 100 }) }),
  },
  { name: "oidc", config: Type.Object({ issuer: Type.String(), clientSecret: Type.String() }) },
];

describe("configJsonSchema", () => {
  const schema = configJsonSchema(plugins);

  test("puts each plugin's properties under plugins.<name> with the core's keys (enabled, permissions, isolation, memoryMb)", () => {
    const websocket = at(schema, "properties", "plugins", "properties", "websocket");
    expect(Object.keys(at(websocket, "properties") ?? {})).toEqual([
      "enabled",
      "permissions",
      "isolation",
      "memoryMb",
      "path",
      "authTimeoutMs",
    ]);
    expect(at(websocket, "required")).toEqual(["enabled", "authTimeoutMs"]);
    expect(at(websocket, "additionalProperties")).toBe(false);
    expect(at(schema, "properties", "plugins", "properties", "oidc", "properties", "clientSecret")).toEqual({ type: "string" });
  });

  test("accepts other plugins by their core keys", () => {
    expect(at(schema, "properties", "plugins", "additionalProperties", "required")).toEqual(["enabled"]);
  });

  test("contains the core sections, strict about unknown keys", () => {
    expect(at(schema, "$schema")).toBe("http://json-schema.org/draft-07/schema#");
    expect(at(schema, "additionalProperties")).toBe(false);
    expect(at(schema, "properties", "server", "additionalProperties")).toBe(false);
    expect(at(schema, "properties", "server", "properties", "port", "default")).toBe(3000);
  });

  test("does not require keys that have a default", () => {
    expect(at(schema, "required")).toBeUndefined();
    expect(at(schema, "properties", "server", "required")).toBeUndefined();
  });

  test("allows a ${VAR} placeholder where a number is expected", () => {
    const port = at(schema, "properties", "server", "properties", "port", "anyOf");
    expect(Array.isArray(port) && port.some((member) => at(member, "type") === "string")).toBe(true);
  });

  test("is plain JSON", () => {
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
    const symbols = (node: unknown): number =>
      isRecord(node) || Array.isArray(node)
        ? Object.getOwnPropertySymbols(node).length + Object.values(node).reduce<number>((sum, child) => sum + symbols(child), 0)
        : 0;
    expect(symbols(schema)).toBe(0);
  });
});
