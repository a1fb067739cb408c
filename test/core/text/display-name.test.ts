import { describe, expect, test } from "bun:test";
import { Value } from "@sinclair/typebox/value";
import { DisplayName, displayName } from "../../../core/text/display-name";
import { decodeUtf8 } from "../../../core/text/utf8";

const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
};

describe("display names", () => {
  test("refuses every C0 and C1 control character and DEL", () => {
    for (let code = 0; code <= 0x9f; code++) {
      if (code > 0x1f && code < 0x7f) continue;
      expect({ code, error: codeOf(() => displayName(`a${String.fromCharCode(code)}b`, 10)) }).toEqual({
        code,
        error: "ERR_VALIDATION",
      });
    }
  });

  test("refuses bidirectional embeddings, overrides, isolates and direction marks", () => {
    for (const code of [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x200e, 0x200f, 0x061c]) {
      expect({ code, error: codeOf(() => displayName(`a${String.fromCharCode(code)}b`, 10)) }).toEqual({
        code,
        error: "ERR_VALIDATION",
      });
    }
  });

  test("refuses a lone surrogate, high or low, anywhere", () => {
    for (const name of ["\ud800", "a\udc00", "\udbffz", "\ude00\ud83d"]) {
      expect(codeOf(() => displayName(name, 10))).toBe("ERR_VALIDATION");
    }
  });

  test("normalises to NFC and caps the length in code points of the NFC form", () => {
    expect(displayName("Cafe\u0301", 4)).toBe("Caf\u00e9");
    expect(displayName("\u{1F680}".repeat(3), 3)).toBe("\u{1F680}".repeat(3));
    expect(codeOf(() => displayName("abcd", 3))).toBe("ERR_VALIDATION");
    expect(codeOf(() => displayName(" \t", 3))).toBe("ERR_VALIDATION");
  });

  test("the schema's pattern agrees with the check: forbidden characters fail, pairs and scripts pass", () => {
    const schema = DisplayName(10);
    for (const name of ["a\u202eb", "a\u0000", "\ud800", "x\u0085"])
      expect({ name, ok: Value.Check(schema, name) }).toEqual({ name, ok: false });
    for (const name of ["\u{1F680}", "שלום", "مرحبا", "Zoë"])
      expect({ name, ok: Value.Check(schema, name) }).toEqual({ name, ok: true });
    expect(Value.Decode(schema, "Cafe\u0301")).toBe("Caf\u00e9");
  });
});

describe("strict UTF-8", () => {
  test("refuses bytes that are not UTF-8 instead of turning them into U+FFFD", () => {
    for (const bytes of [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80]]) {
      expect({ bytes, error: codeOf(() => decodeUtf8(new Uint8Array(bytes))) }).toEqual({ bytes, error: "ERR_BAD_REQUEST" });
    }
  });

  test("keeps valid text, a byte-order mark included, as sent", () => {
    expect(decodeUtf8(new TextEncoder().encode("\ufeffé\u{1F680}\ufffd"))).toBe("\ufeffé\u{1F680}\ufffd");
  });
});
