import { describe, expect, test } from "bun:test";
import { Type } from "@sinclair/typebox";
import { interpolateEnv } from "../../../core/config/interpolate";
import { isRecord } from "../../../core/config/json-path";
import { type ConfigSource, parseConfigSource } from "../../../core/config/source";
import { validateSection } from "../../../core/config/validate";
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

const WebSocketSchema = Type.Object({
  path: Type.String({ default: "/ws" }),
  authTimeoutMs: Type.Integer({ minimum: 100, default: 5000 }),
  mode: Type.Optional(Type.Union([Type.Literal("strict"), Type.Literal("lenient")])),
  token: Type.Optional(Type.String({ pattern: "^tok_" })),
  limits: Type.Optional(Type.Object({ perMinute: Type.Integer({ minimum: 1 }) })),
});

const websocketFile = (section: string) =>
  parseConfigSource("tessera.jsonc", `{\n  "plugins": {\n    "websocket": ${section}\n  }\n}`);
const atWebsocket = { basePath: ["plugins", "websocket"] };
// The section as loadConfig hands it over: the value under plugins.websocket, located in the whole file.
const websocketSection = (source: ConfigSource, value: unknown = source.value): unknown => {
  const plugins = isRecord(value) ? value.plugins : undefined;
  return isRecord(plugins) ? plugins.websocket : undefined;
};

describe("validateSection", () => {
  test("applies schema defaults", () => {
    expect(validateSection(WebSocketSchema, {}, atWebsocket)).toEqual({ path: "/ws", authTimeoutMs: 5000 });
  });

  test("does not modify its input", () => {
    const input = {};
    validateSection(WebSocketSchema, input, atWebsocket);
    expect(input).toEqual({});
  });

  test("rejects an unknown key with a did-you-mean and its line:col", () => {
    const source = websocketFile('{ "authTimeout": 5000 }');
    const error = thrown(() => validateSection(WebSocketSchema, websocketSection(source), { ...atWebsocket, source }));
    expect(error.code).toBe("ERR_CONFIG_INVALID");
    expect(error.message).toBe(
      "tessera.jsonc:3:20 plugins.websocket.authTimeout: unknown property, did you mean `authTimeoutMs`?",
    );
  });

  test("lists the allowed keys when nothing is close", () => {
    const error = thrown(() => validateSection(WebSocketSchema, { zzz: 1 }, atWebsocket));
    expect(error.message).toContain("unknown property, expected one of `path`, `authTimeoutMs`");
  });

  test("rejects unknown keys in nested objects the schema did not mark open", () => {
    const error = thrown(() => validateSection(WebSocketSchema, { limits: { perMinute: 5, perMinut: 5 } }, atWebsocket));
    expect(error.message).toBe("plugins.websocket.limits.perMinut: unknown property, did you mean `perMinute`?");
  });

  test("says what type was expected and what was found", () => {
    const source = websocketFile('{ "authTimeoutMs": "soon" }');
    const error = thrown(() => validateSection(WebSocketSchema, websocketSection(source), { ...atWebsocket, source }));
    expect(error.message).toBe("tessera.jsonc:3:20 plugins.websocket.authTimeoutMs: expected integer >= 100, got string");
    expect(error.details?.errors).toEqual([
      { path: "plugins.websocket.authTimeoutMs", line: 3, col: 20, message: "expected integer >= 100, got string" },
    ]);
  });

  test("echoes numbers but not strings", () => {
    const error = thrown(() => validateSection(WebSocketSchema, { authTimeoutMs: 5, token: "sk_live_abc" }, atWebsocket));
    expect(error.message).toContain("plugins.websocket.authTimeoutMs: expected integer >= 100, got 5");
    expect(error.message).toContain("plugins.websocket.token: expected a string matching /^tok_/");
    expect(error.message).not.toContain("sk_live_abc");
  });

  test("names the enum members and the rejected member", () => {
    const error = thrown(() => validateSection(WebSocketSchema, { mode: "loose" }, atWebsocket));
    expect(error.message).toBe('plugins.websocket.mode: expected one of "strict", "lenient", got "loose"');
  });

  test("reports a missing required property at its parent", () => {
    const source = websocketFile('{ "limits": {} }');
    const error = thrown(() => validateSection(WebSocketSchema, websocketSection(source), { ...atWebsocket, source }));
    expect(error.message).toBe("tessera.jsonc:3:20 plugins.websocket.limits.perMinute: missing, expected integer >= 1");
  });

  test("collects every error, one line each, in file order", () => {
    const source = websocketFile('{\n      "mode": 1,\n      "authTimeoutMs": 1.5,\n      "extra": true\n    }');
    const error = thrown(() => validateSection(WebSocketSchema, websocketSection(source), { ...atWebsocket, source }));
    expect(error.message.split("\n")).toEqual([
      'tessera.jsonc:4:7 plugins.websocket.mode: expected one of "strict", "lenient", got 1',
      "tessera.jsonc:5:7 plugins.websocket.authTimeoutMs: expected integer >= 100, got 1.5",
      "tessera.jsonc:6:7 plugins.websocket.extra: unknown property, expected one of `path`, `authTimeoutMs`, `mode`, `token`, `limits`",
    ]);
    expect(error.details?.errors).toHaveLength(3);
  });

  test("never echoes a value that came from the environment", () => {
    const secret = "hunter2-from-env";
    const source = websocketFile('{ "authTimeoutMs": "${S}", "mode": "${S}", "token": "${S}", "path": 7, "athTimeout": "${S}" }');
    const { value, secretPaths } = interpolateEnv(source.value, { env: { S: secret }, source });
    const error = thrown(() =>
      validateSection(WebSocketSchema, websocketSection(source, value), { ...atWebsocket, source, secretPaths }),
    );
    expect(error.message.split("\n")).toHaveLength(5);
    expect(error.message).not.toContain(secret);
    expect(JSON.stringify(error.details)).not.toContain(secret);
    expect(JSON.stringify(error)).not.toContain(secret);
  });

  test("converts an env string where the schema wants a number or boolean", () => {
    const schema = Type.Object({ port: Type.Integer(), tls: Type.Boolean(), name: Type.String() });
    const { value, secretPaths } = interpolateEnv(
      { port: "${PORT:-3000}", tls: "${TLS}", name: "${NAME}" },
      {
        env: { TLS: "true", NAME: "42" },
      },
    );
    expect(validateSection(schema, value, { basePath: [], secretPaths })).toEqual({ port: 3000, tls: true, name: "42" });
  });

  test("keeps a literal numeric string in the file an error", () => {
    const error = thrown(() => validateSection(Type.Object({ port: Type.Integer() }), { port: "3000" }, { basePath: [] }));
    expect(error.message).toBe("port: expected integer, got string");
  });

  test("explains a union by the member of the same type", () => {
    const schema = Type.Object({
      target: Type.Union([Type.String(), Type.Object({ host: Type.String(), port: Type.Integer() })]),
    });
    const error = thrown(() => validateSection(schema, { target: { host: "x", port: "y" } }, { basePath: [] }));
    expect(error.message).toBe("target.port: expected integer, got string");
    const wrongType = thrown(() => validateSection(schema, { target: 5 }, { basePath: [] }));
    expect(wrongType.message).toBe("target: expected string or object, got 5");
  });

  test("prints paths without a source", () => {
    const error = thrown(() => validateSection(WebSocketSchema, { authTimeoutMs: 1 }, atWebsocket));
    expect(error.message).toBe("plugins.websocket.authTimeoutMs: expected integer >= 100, got 1");
    expect(error.details?.errors).toEqual([
      { path: "plugins.websocket.authTimeoutMs", message: "expected integer >= 100, got 1" },
    ]);
  });
});
