import { describe, expect, test } from "bun:test";
import { OutputTail } from "../../../plugins/federation/agents/output-tail";
import { stableJson } from "../../../plugins/federation/agents/stable-json";
import { advances } from "../../../plugins/federation/agents/status";
import { noGrants, requireGrant } from "../../../plugins/federation/peers/grants";
import { backoffMs } from "../../../plugins/federation/wire/backoff";
import { checkClock, decodeJws } from "../../../plugins/federation/wire/jws";

const text = (value: string) => new TextEncoder().encode(value);
const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("backoff", () => {
  test("doubles from the base, is capped, and jitters within ±50 %", () => {
    expect([1, 2, 3, 4].map((attempt) => backoffMs(attempt, 100, 1000, () => 0.5))).toEqual([100, 200, 400, 800]);
    expect(backoffMs(10, 100, 1000, () => 0.5)).toBe(1000);
    expect(backoffMs(3, 100, 1000, () => 0)).toBe(200);
    expect(backoffMs(3, 100, 1000, () => 0.999)).toBe(600);
  });
});

describe("agent status", () => {
  test("only moves forward; a terminal state stays; lost is replaced by the runner's word", () => {
    expect(advances("queued", "running")).toBe(true);
    expect(advances("running", "completed")).toBe(true);
    expect(advances("running", "queued")).toBe(false);
    expect(advances("completed", "running")).toBe(false);
    expect(advances("killed", "completed")).toBe(false);
    expect(advances("lost", "completed")).toBe(true);
    expect(advances("lost", "queued")).toBe(false);
  });
});

describe("output tail", () => {
  test("keeps the last bytes only", () => {
    const tail = new OutputTail(8);
    for (const chunk of ["hello ", "there ", "world"]) tail.push(text(chunk));
    expect(tail.text()).toBe("re world");
  });
});

describe("stable JSON", () => {
  test("serialises equal values the same whatever their key order", () => {
    expect(stableJson({ b: 1, a: { d: [1, { f: 1, e: 2 }], c: null } })).toBe(
      stableJson({ a: { c: null, d: [1, { e: 2, f: 1 }] }, b: 1 }),
    );
  });
});

describe("grants", () => {
  test("nothing is granted by default; commands and agent types are checked apart", () => {
    expect(() => requireGrant("p", noGrants(), "agent.list")).toThrow(expect.objectContaining({ code: "ERR_FED_NOT_GRANTED" }));
    const grants = { commands: ["agent.spawn" as const], agentTypes: ["echo"] };
    expect(() => requireGrant("p", grants, "agent.spawn", "echo")).not.toThrow();
    expect(() => requireGrant("p", grants, "agent.spawn", "sleeper")).toThrow(/agent type "sleeper"/);
    expect(() => requireGrant("p", grants, "agent.kill")).toThrow(/agent.kill/);
  });
});

describe("decoding a compact JWS", () => {
  const header = { alg: "EdDSA", typ: "tessera-fed+jwt", kid: "k" };
  const valid = `${part(header)}.${part({ iss: "a" })}.c2ln`;

  test("reads the kid and payload of a well-formed message without trusting it", () => {
    expect(decodeJws(text(valid))).toMatchObject({ kid: "k", payload: { iss: "a" } });
  });

  const refusals: [string, string][] = [
    ["an empty body", ""],
    ["two parts", `${part(header)}.${part({})}`],
    ["a part that is not base64url", `${part(header)}.${part({})}.c2l+`],
    ["a header that is not JSON", `${Buffer.from("nope").toString("base64url")}.${part({})}.c2ln`],
    ["alg none", `${part({ ...header, alg: "none" })}.${part({})}.c2ln`],
    ["an HMAC alg", `${part({ ...header, alg: "HS256" })}.${part({})}.c2ln`],
    ["another typ", `${part({ ...header, typ: "JWT" })}.${part({})}.c2ln`],
    ["no kid", `${part({ alg: "EdDSA", typ: "tessera-fed+jwt" })}.${part({})}.c2ln`],
    ["crit", `${part({ ...header, crit: ["b64"] })}.${part({})}.c2ln`],
    ["a payload that is not JSON", `${part(header)}.${Buffer.from("{").toString("base64url")}.c2ln`],
  ];
  for (const [what, body] of refusals) {
    test(`refuses ${what} as ERR_FED_MALFORMED`, () => {
      expect(() => decodeJws(text(body))).toThrow(expect.objectContaining({ code: "ERR_FED_MALFORMED", status: 400 }));
    });
  }

  test("refuses bytes that are not UTF-8", () => {
    expect(() => decodeJws(new Uint8Array([0xff, 0xfe, 0x2e]))).toThrow(expect.objectContaining({ code: "ERR_FED_MALFORMED" }));
  });
});

describe("the clock check", () => {
  const now = 1_000_000;
  test("accepts iat within ±60 s and exp at most 300 s after iat", () => {
    expect(() => checkClock({ iat: now - 60, exp: now + 240 }, now)).not.toThrow();
    expect(() => checkClock({ iat: now + 60, exp: now + 360 }, now)).not.toThrow();
  });
  const refusals: [string, { iat: number; exp: number }][] = [
    ["iat 61 s in the past", { iat: now - 61, exp: now + 60 }],
    ["iat 61 s in the future", { iat: now + 61, exp: now + 120 }],
    ["exp more than 300 s after iat", { iat: now, exp: now + 301 }],
    ["exp before iat", { iat: now, exp: now - 1 }],
    ["exp already past", { iat: now - 30, exp: now - 1 }],
  ];
  for (const [what, claims] of refusals) {
    test(`refuses ${what} as ERR_FED_CLOCK`, () => {
      expect(() => checkClock(claims, now)).toThrow(expect.objectContaining({ code: "ERR_FED_CLOCK" }));
    });
  }
});
