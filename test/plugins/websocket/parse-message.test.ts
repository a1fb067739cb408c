import { describe, expect, test } from "bun:test";
import { parseClientMessage } from "../../../plugins/websocket/parse-message";

const codeOf = (text: string) => {
  const parsed = parseClientMessage(text);
  return "code" in parsed ? parsed.code : undefined;
};

describe("parsing client frames", () => {
  test("accepts each message type of the contract", () => {
    expect(parseClientMessage('{"type":"auth","token":"tss_abc"}')).toEqual({ type: "auth", token: "tss_abc" });
    expect(parseClientMessage('{"type":"subscribe","workspaceId":"w"}')).toEqual({ type: "subscribe", workspaceId: "w" });
    expect(parseClientMessage('{"type":"unsubscribe","workspaceId":"w"}')).toEqual({ type: "unsubscribe", workspaceId: "w" });
    expect(parseClientMessage('{"type":"ping"}')).toEqual({ type: "ping" });
  });

  test("takes since as an id string, or as a number from clients that parsed it", () => {
    expect(parseClientMessage('{"type":"subscribe","workspaceId":"w","since":"42"}')).toEqual({
      type: "subscribe",
      workspaceId: "w",
      since: "42",
    });
    expect(parseClientMessage('{"type":"subscribe","workspaceId":"w","since":7}')).toMatchObject({ since: "7" });
  });

  test("malformed JSON and non-objects are bad_message", () => {
    for (const text of ["{nope", "", "[]", "null", '"subscribe"', "42"]) expect(codeOf(text)).toBe("bad_message");
  });

  test("a missing or non-string type is bad_message; an unknown one is unknown_type", () => {
    expect(codeOf("{}")).toBe("bad_message");
    expect(codeOf('{"type":5}')).toBe("bad_message");
    expect(codeOf('{"type":"publish"}')).toBe("unknown_type");
  });

  test("wrong shapes are bad_message and say which field is wrong", () => {
    const cases = [
      ['{"type":"auth"}', "token"],
      ['{"type":"auth","token":""}', "token"],
      ['{"type":"subscribe"}', "workspaceId"],
      ['{"type":"subscribe","workspaceId":""}', "workspaceId"],
      [`{"type":"subscribe","workspaceId":"${"x".repeat(129)}"}`, "workspaceId"],
      ['{"type":"subscribe","workspaceId":"w","since":"abc"}', "since"],
      ['{"type":"subscribe","workspaceId":"w","since":-1}', "since"],
      ['{"type":"subscribe","workspaceId":"w","since":"1234567890123456"}', "since"],
      ['{"type":"unsubscribe","workspaceId":3}', "workspaceId"],
    ] as const;
    for (const [text, field] of cases) {
      const parsed = parseClientMessage(text);
      expect(parsed).toMatchObject({ code: "bad_message" });
      expect("message" in parsed ? parsed.message : "").toContain(field);
    }
  });
});
