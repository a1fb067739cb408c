import { describe, expect, test } from "bun:test";
import { interpolateEnv } from "../../../core/config/interpolate";
import { parseConfigSource } from "../../../core/config/source";
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

describe("interpolateEnv", () => {
  test("substitutes ${VAR} in nested strings and marks them secret", () => {
    const { value, secretPaths } = interpolateEnv(
      { plugins: { oidc: { clientSecret: "${SECRET}", scopes: ["openid", "x-${SUFFIX}"] } }, port: 3000 },
      { env: { SECRET: "s3cr3t", SUFFIX: "tail" } },
    );
    expect(value).toEqual({ plugins: { oidc: { clientSecret: "s3cr3t", scopes: ["openid", "x-tail"] } }, port: 3000 });
    expect([...secretPaths].sort()).toEqual(["plugins.oidc.clientSecret", "plugins.oidc.scopes[1]"]);
  });

  test("uses the default when the variable is unset or empty", () => {
    const { value } = interpolateEnv(
      { a: "${UNSET:-fallback}", b: "${EMPTY:-fallback}", c: "${SET:-fallback}" },
      {
        env: { EMPTY: "", SET: "given" },
      },
    );
    expect(value).toEqual({ a: "fallback", b: "fallback", c: "given" });
  });

  test("reports a missing variable with file:line:col, path and name", () => {
    const source = parseConfigSource(
      "tessera.jsonc",
      '{\n  "plugins": {\n    "oidc": { "clientSecret": "${OIDC_CLIENT_SECRET}" }\n  }\n}',
    );
    const error = thrown(() => interpolateEnv(source.value, { env: {}, source }));
    expect(error.code).toBe("ERR_CONFIG_ENV");
    expect(error.message).toBe(
      "tessera.jsonc:3:15 plugins.oidc.clientSecret: environment variable OIDC_CLIENT_SECRET is not set",
    );
    expect(error.details?.errors).toEqual([
      { path: "plugins.oidc.clientSecret", line: 3, col: 15, message: "environment variable OIDC_CLIENT_SECRET is not set" },
    ]);
  });

  test("lists every missing variable in one error", () => {
    const error = thrown(() => interpolateEnv({ a: "${A}", b: ["${B}"] }, { env: {} }));
    expect(error.message.split("\n")).toEqual([
      "a: environment variable A is not set",
      "b[0]: environment variable B is not set",
    ]);
  });

  test("turns $${ into a literal ${ without reading the environment", () => {
    const { value, secretPaths } = interpolateEnv({ template: "cost: $${AMOUNT} and ${AMOUNT}" }, { env: { AMOUNT: "5" } });
    expect(value).toEqual({ template: "cost: ${AMOUNT} and 5" });
    expect(secretPaths.has("template")).toBe(true);
    expect(interpolateEnv({ only: "$${X}" }, { env: {} }).secretPaths.size).toBe(0);
  });

  test("leaves keys alone", () => {
    const { value } = interpolateEnv({ "${KEY}": "v" }, { env: { KEY: "replaced" } });
    expect(value).toEqual({ "${KEY}": "v" });
  });

  test("rejects a malformed or unterminated reference without echoing the string", () => {
    const error = thrown(() => interpolateEnv({ password: "hunter2${oops", other: "${A:-${B}}" }, { env: {} }));
    expect(error.code).toBe("ERR_CONFIG_ENV");
    expect(error.message).not.toContain("hunter2");
    expect(error.message.split("\n")).toHaveLength(2);
  });

  test("does not modify its input", () => {
    const input = { a: "${A}" };
    interpolateEnv(input, { env: { A: "x" } });
    expect(input).toEqual({ a: "${A}" });
  });
});
