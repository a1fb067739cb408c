import { describe, expect, test } from "bun:test";
import type { WorkspaceEvent } from "../../../core/events/event-bus";
import { MemoryEventBus } from "../../../core/events/memory-event-bus";
import { createLogger } from "../../../core/log/json-logger";

const quietLogger = (lines: string[] = []) => createLogger({ write: (line) => lines.push(line) });

describe("MemoryEventBus", () => {
  test("numbers events per workspace from 1", async () => {
    const bus = new MemoryEventBus({ logger: quietLogger() });
    const ids = [];
    for (const ws of ["a", "a", "b", "a", "b"]) ids.push(`${ws}${(await bus.publish(ws, "e", null)).id}`);
    expect(ids).toEqual(["a1", "a2", "b1", "a3", "b2"]);
  });

  test("calls listeners synchronously, in publish order", () => {
    const bus = new MemoryEventBus({ logger: quietLogger() });
    const seen: string[] = [];
    bus.subscribe("ws", (event) => seen.push(event.id));
    void bus.publish("ws", "one", 1);
    expect(seen).toEqual(["1"]);
    void bus.publish("ws", "two", 2);
    void bus.publish("other", "x", 0);
    void bus.publish("ws", "three", 3);
    expect(seen).toEqual(["1", "2", "3"]);
  });

  test("delivers the full event to workspace and catch-all listeners, until unsubscribed", async () => {
    const bus = new MemoryEventBus({ logger: quietLogger(), now: () => 42 });
    const mine: WorkspaceEvent[] = [];
    const all: string[] = [];
    const stop = bus.subscribe("ws", (event) => mine.push(event));
    bus.subscribeAll((event) => all.push(`${event.workspaceId}/${event.id}`));
    await bus.publish("ws", "job.progress", { pct: 50 });
    await bus.publish("other", "job.created", {});
    stop();
    await bus.publish("ws", "job.done", {});
    expect(mine).toEqual([{ workspaceId: "ws", id: "1", event: "job.progress", data: { pct: 50 }, ts: 42 }]);
    expect(all).toEqual(["ws/1", "other/1", "ws/2"]);
  });

  test("a throwing listener is logged and does not stop the others", async () => {
    const lines: string[] = [];
    const bus = new MemoryEventBus({ logger: quietLogger(lines) });
    const seen: string[] = [];
    bus.subscribe("ws", () => {
      throw new Error("listener broke");
    });
    bus.subscribe("ws", (event) => seen.push(`ws:${event.id}`));
    bus.subscribeAll((event) => seen.push(`all:${event.id}`));
    await bus.publish("ws", "e", null);
    await bus.publish("ws", "e", null);
    expect(seen).toEqual(["ws:1", "all:1", "ws:2", "all:2"]);
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({
      level: "error",
      msg: "event listener failed",
      workspaceId: "ws",
      id: "1",
      error: { name: "Error", message: "listener broke" },
    });
  });

  test("replays events after `since`, oldest first, up to `limit`", async () => {
    const bus = new MemoryEventBus({ logger: quietLogger() });
    for (let i = 0; i < 6; i++) await bus.publish("ws", "e", i);
    const ids = (result: { events: WorkspaceEvent[] }) => result.events.map((event) => event.id);
    expect(ids(await bus.replay("ws", "0"))).toEqual(["1", "2", "3", "4", "5", "6"]);
    expect(ids(await bus.replay("ws", "3"))).toEqual(["4", "5", "6"]);
    expect(ids(await bus.replay("ws", "1", 2))).toEqual(["2", "3"]);
    expect(await bus.replay("ws", "6")).toEqual({ events: [], gap: false });
    // An id this history never issued is from before a restart: nothing can vouch for what followed it.
    expect(await bus.replay("ws", "99")).toEqual({ events: [], gap: true });
    expect(await bus.replay("unknown", "0")).toEqual({ events: [], gap: false });
  });

  test("flags a gap when events after `since` were dropped from the bounded history", async () => {
    const bus = new MemoryEventBus({ logger: quietLogger(), historySize: 3 });
    for (let i = 0; i < 5; i++) await bus.publish("ws", "e", i);
    const gapped = await bus.replay("ws", "0");
    expect(gapped.gap).toBe(true);
    expect(gapped.events.map((event) => event.id)).toEqual(["3", "4", "5"]);
    expect((await bus.replay("ws", "1")).gap).toBe(true);
    expect((await bus.replay("ws", "2")).gap).toBe(false);
    expect((await bus.replay("ws", "4")).events.map((event) => event.id)).toEqual(["5"]);
  });

  test("refuses a `since` or `limit` that is not an event id or a count", async () => {
    const bus = new MemoryEventBus({ logger: quietLogger() });
    await expect(bus.replay("ws", "abc")).rejects.toMatchObject({ code: "ERR_BAD_REQUEST", status: 400 });
    await expect(bus.replay("ws", "-1")).rejects.toMatchObject({ code: "ERR_BAD_REQUEST" });
    await expect(bus.replay("ws", "0", 0)).rejects.toMatchObject({ code: "ERR_BAD_REQUEST" });
  });
});
