import { describe, expect, test } from "bun:test";
import { eventText } from "../../../../plugins/websocket/hub";
import { messageFrame, PING, retryFrame, sseFrame } from "../../../../plugins/websocket/sse/frame";
import { sseParser } from "../support/event-stream";

const parse = (...texts: string[]) => {
  const parser = sseParser();
  for (const text of texts) parser.feed(text);
  return parser.out;
};

describe("server-sent events framing", () => {
  test("writes event, id and data lines and ends the frame with a blank line", () => {
    expect(sseFrame({ event: "gap", id: "7", data: "{}" })).toBe("event: gap\nid: 7\ndata: {}\n\n");
    expect(sseFrame({ data: "plain" })).toBe("data: plain\n\n");
  });

  test("splits data on every kind of line break, so a client reads back the same text joined by newlines", () => {
    const frame = sseFrame({ data: "one\ntwo\r\nthree\rfour" });
    expect(frame).toBe("data: one\ndata: two\ndata: three\ndata: four\n\n");
    expect(parse(frame).events).toEqual([{ event: "message", id: undefined, data: "one\ntwo\nthree\nfour" }]);
  });

  test("a workspace event is an unnamed message whose id is the event id and whose data is the WebSocket's JSON", () => {
    const text = eventText({ workspaceId: "w1", id: "42", event: "job.progress", data: { percent: 50 }, ts: 1 });
    const { message, frame } = messageFrame(text);
    expect(message.type).toBe("event");
    expect(parse(frame).events).toEqual([{ event: "message", id: "42", data: text }]);
  });

  test("control messages are named by their type and carry no id; a subscription with a gap is named gap", () => {
    const frames = [
      { type: "subscribed", workspaceId: "w1" },
      { type: "subscribed", workspaceId: "w1", gap: true },
      { type: "unsubscribed", workspaceId: "w1", reason: "removed" },
      { type: "error", code: "token_expired", message: "expired" },
    ].map((message) => messageFrame(JSON.stringify(message)).frame);
    const { events } = parse(...frames);
    expect(events.map((event) => [event.event, event.id])).toEqual([
      ["subscribed", undefined],
      ["gap", undefined],
      ["unsubscribed", undefined],
      ["error", undefined],
    ]);
    expect(JSON.parse(events[1]?.data ?? "")).toEqual({ type: "subscribed", workspaceId: "w1", gap: true });
  });

  test("the heartbeat is a comment and the retry hint sets the reconnection delay; neither dispatches an event", () => {
    const out = parse(retryFrame(2500), PING);
    expect(out).toEqual({ events: [], comments: ["ping"], retry: 2500 });
  });
});
