import { describe, expect, test } from "bun:test";
import { TesseraError } from "../../../core/errors/tessera-error";
import { createLogger } from "../../../core/log/json-logger";
import { REDACTED, redact, redactString } from "../../../core/log/redact";

const JWT = "eyJhbGciOiJFZERTQSIsInR5cCI6InRlc3NlcmEtZmVkK2p3dCJ9.eyJpc3MiOiJodWIiLCJqdGkiOiIxMjMifQ.c2lnbmF0dXJlLWJ5dGVzLWhlcmU";

describe("redact by key", () => {
  test.each([
    "token",
    "accessToken",
    "id_token",
    "secret",
    "clientSecret",
    "client_secret",
    "password",
    "passwd",
    "Authorization",
    "cookie",
    "set-cookie",
    "apiKey",
    "api_key",
    "x-api-key",
    "privateKey",
    "ticket",
    "sessionId",
  ])("%s is replaced whatever its value", (key) => {
    expect(redact({ [key]: "value-that-is-secret", keep: "visible" })).toEqual({ [key]: REDACTED, keep: "visible" });
    expect(redact({ [key]: { nested: "object" } })).toEqual({ [key]: REDACTED });
  });

  test("an absent value stays absent, so a log still shows that it was missing", () => {
    expect(redact({ password: null, token: undefined })).toEqual({ password: null, token: undefined });
  });
});

describe("redact by shape", () => {
  test("bearer and basic credentials", () => {
    expect(redactString("Authorization: Bearer abc.def-ghi_jkl")).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(redactString("basic dXNlcjpwYXNzd29yZA==")).toBe(`basic ${REDACTED}`);
    expect(redactString('WWW-Authenticate: Bearer realm="tessera"')).toBe('WWW-Authenticate: Bearer realm="tessera"');
  });

  test("JWTs, also inside text", () => {
    expect(redactString(`got ${JWT} from peer`)).toBe(`got ${REDACTED} from peer`);
    expect(redactString("auth.example.com and v1.2.3 are not tokens")).toBe("auth.example.com and v1.2.3 are not tokens");
  });

  test("Tessera session and API-key tokens", () => {
    expect(redactString("session tss_Q2xhdWRlIHdhcyBoZXJl, key tsk_live-abc_123")).toBe(
      `session tss_${REDACTED}, key tsk_${REDACTED}`,
    );
  });

  test("credentials in URLs", () => {
    expect(redactString("postgres://tessera:pa55word@db:5432/app")).toBe(`postgres://tessera:${REDACTED}@db:5432/app`);
    expect(redactString("redis://:hunter2@cache:6379")).toBe(`redis://:${REDACTED}@cache:6379`);
    expect(redactString("https://ghp_tokenvalue@github.com/org/repo.git")).toBe(`https://${REDACTED}@github.com/org/repo.git`);
    expect(redactString("http://localhost:3000/path")).toBe("http://localhost:3000/path");
  });

  test("secret query parameters, keeping the rest of the URL", () => {
    expect(redactString("/ws?ticket=t1ck3t&workspace=w1")).toBe(`/ws?ticket=${REDACTED}&workspace=w1`);
    expect(redactString("https://app/auth/callback?code=c0de&state=st4te&iss=x")).toBe(
      `https://app/auth/callback?code=${REDACTED}&state=${REDACTED}&iss=x`,
    );
    expect(redactString("/hook?token=abc")).toBe(`/hook?token=${REDACTED}`);
    expect(redactString("https://app/#access_token=abc&id_token=def")).toBe(
      `https://app/#access_token=${REDACTED}&id_token=${REDACTED}`,
    );
    expect(redactString("code=raw&state=raw2")).toBe(`code=${REDACTED}&state=${REDACTED}`);
  });

  test("a URL object is redacted like its text", () => {
    expect(redact({ url: new URL("https://u:p4ss@host/x?token=t0k") })).toEqual({
      url: `https://u:${REDACTED}@host/x?token=${REDACTED}`,
    });
  });
});

describe("redact structures", () => {
  test("errors become {name, code, message, cause}, causes redacted recursively, no stack", () => {
    const root = new Error("connect to redis://:pw@cache failed");
    const error = new TesseraError("ERR_UNAVAILABLE", "Redis down", { status: 503, cause: root });
    expect(redact(error)).toEqual({
      name: "TesseraError",
      code: "ERR_UNAVAILABLE",
      message: "Redis down",
      status: 503,
      cause: { name: "Error", message: `connect to redis://:${REDACTED}@cache failed` },
    });
  });

  test("an error code defined as an inherited getter is kept", () => {
    class DriverError extends Error {
      override name = "DriverError";
      get code() {
        return "ERR_DRIVER_CLOSED";
      }
    }
    expect(redact(new DriverError("closed"))).toEqual({ name: "DriverError", code: "ERR_DRIVER_CLOSED", message: "closed" });
  });

  test("deep objects, arrays, maps and headers", () => {
    const headers = new Headers({ authorization: "Bearer abcdefghijkl", "content-type": "text/plain" });
    const input = {
      a: [{ b: { c: [{ secret: "x" }, "Bearer abcdefghijkl"] } }],
      map: new Map([["password", "p"]]),
      headers,
      at: new Date("2030-01-01T00:00:00Z"),
      big: 10n,
    };
    expect(redact(input)).toEqual({
      a: [{ b: { c: [{ secret: REDACTED }, `Bearer ${REDACTED}`] } }],
      map: { password: REDACTED },
      headers: { authorization: REDACTED, "content-type": "text/plain" },
      at: "2030-01-01T00:00:00.000Z",
      big: "10",
    });
  });

  test("cycles are cut, shared references are not", () => {
    const shared = { v: 1 };
    const node: Record<string, unknown> = { name: "n", left: shared, right: shared };
    node.self = node;
    expect(redact(node)).toEqual({ name: "n", left: { v: 1 }, right: { v: 1 }, self: "[circular]" });
  });

  test("very deep nesting is truncated instead of overflowing the stack", () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 10_000; i++) deep = { d: deep };
    expect(JSON.stringify(redact(deep))).toContain("[truncated]");
  });
});

describe("no secret survives a log line", () => {
  test("every kind of secret, anywhere in the fields", () => {
    const secrets = [
      "hunter2-password",
      "sk-client-secret-value",
      "c0de-from-idp",
      "st4te-value",
      "t1cket-value",
      "abcdefghijklmnopqrst",
      "tss_sessionTokenValue123",
      "tsk_apiKeyValue456",
      JWT,
      "pgpassw0rd",
    ];
    const lines: string[] = [];
    const logger = createLogger({ write: (line) => lines.push(line), level: "debug" });
    const cause = new Error(`fetch https://idp/token?code=${secrets[2]}&state=${secrets[3]} failed`);
    logger.error(`login failed for Bearer ${secrets[5]}`, {
      user: { password: secrets[0], profile: { clientSecret: secrets[1] } },
      requests: [`/ws?ticket=${secrets[4]}`, { note: `token ${secrets[6]} and ${secrets[7]}` }],
      idToken: secrets[8],
      header: `Bearer ${secrets[8]}`,
      db: `postgres://app:${secrets[9]}@db/app`,
      error: new TesseraError("ERR_UNAUTHENTICATED", "rejected", { cause }),
    });
    expect(lines).toHaveLength(1);
    for (const secret of secrets) expect(lines[0]).not.toContain(secret);
  });
});
