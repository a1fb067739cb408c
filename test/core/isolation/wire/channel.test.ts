import { describe, expect, test } from "bun:test";
import { TesseraError } from "../../../../core/errors/tessera-error";
import { Channel } from "../../../../core/isolation/wire/channel";
import { encodeFrame, FRAME } from "../../../../core/isolation/wire/frames";
import { channelPair, pipe } from "../../../support/channel-pair";

const rejection = async (promise: Promise<unknown>): Promise<TesseraError> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TesseraError) return error;
    throw error;
  }
  throw new Error("the call succeeded");
};

const text = (stream: ReadableStream<Uint8Array>) => new Response(stream).text();

describe("channel", () => {
  test("a call gets its handler's value; a TesseraError crosses with its code and status", async () => {
    const { core, child } = channelPair();
    child.handle("add", (params) => {
      const { a, b } = params as { a: number; b: number };
      return a + b;
    });
    child.handle("refuse", () => {
      throw new TesseraError("ERR_FORBIDDEN", "no", { status: 403, path: "x" });
    });
    child.handle("break", () => {
      throw new Error("secret internals");
    });
    expect(await core.call("add", { a: 2, b: 3 })).toBe(5);
    const refused = await rejection(core.call("refuse", {}));
    expect({ code: refused.code, status: refused.status, path: refused.path }).toEqual({
      code: "ERR_FORBIDDEN",
      status: 403,
      path: "x",
    });
    const broken = await rejection(core.call("break", {}));
    expect(broken.code).toBe("ERR_INTERNAL");
    expect(broken.message).not.toContain("secret");
    const unknown = await rejection(core.call("nope", {}));
    expect(unknown.code).toBe("ERR_ISOLATION_PROTOCOL");
  });

  test("streams carry bytes both ways, in order, in 64 KiB chunks", async () => {
    const { core, child } = channelPair();
    const big = new Uint8Array(300_000).map((_, i) => i % 251);
    child.handle("echo", (params) => {
      const { body } = params as { body: number };
      return { body: child.sendStream(child.receiveStream(body)) };
    });
    const id = core.sendStream(new Response(big).body as ReadableStream<Uint8Array>);
    const reply = (await core.call("echo", { body: id })) as { body: number };
    const back = new Uint8Array(await new Response(core.receiveStream(reply.body)).arrayBuffer());
    expect(back).toEqual(big);
  });

  test("notifications reach their handler; a cancelled stream stops the sender", async () => {
    const { core, child } = channelPair();
    const seen: unknown[] = [];
    core.handle("log", (params) => void seen.push(params));
    child.notify("log", { message: "hi" });
    let pulls = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        controller.enqueue(new TextEncoder().encode("x"));
      },
    });
    const id = child.sendStream(endless);
    const reader = core.receiveStream(id).getReader();
    await reader.read();
    await reader.cancel();
    await Bun.sleep(50);
    const after = pulls;
    await Bun.sleep(50);
    expect(pulls - after).toBeLessThanOrEqual(1);
    expect(seen).toEqual([{ message: "hi" }]);
  });

  test("a malformed message ends the channel and fails its pending calls", async () => {
    const toCore = pipe();
    const core = new Channel(() => undefined, "core");
    const running = core.run(toCore.read());
    const pending = core.call("slow", {}).catch((error: Error) => error);
    toCore.write(encodeFrame(FRAME.message, 0, new TextEncoder().encode('{"type":"call"}')));
    await expect(running).rejects.toThrow("unknown shape");
    expect(String(await pending)).toContain("unknown shape");
    expect(core.isClosed).toBe(true);
    await expect(core.call("again", {})).rejects.toThrow();
  });

  test("the peer ending its output fails pending calls; a call can time out", async () => {
    const { core, child, toCore } = channelPair();
    child.handle("never", () => new Promise(() => undefined));
    const late = core.call("never", {}, 50);
    await expect(late).rejects.toThrow("within 50 ms");
    const pending = core.call("never", {});
    toCore.end();
    await expect(pending).rejects.toThrow("closed its output");
  });

  test("frames made in one turn leave in one write, in order (the channel's batching)", async () => {
    const writes: Uint8Array[] = [];
    const channel = new Channel((bytes) => void writes.push(bytes), "child");
    for (let n = 0; n < 10; n++) channel.notify("log", { n });
    await Bun.sleep(0);
    expect(writes).toHaveLength(1);
    const seen: unknown[] = [];
    const core = new Channel(() => undefined, "core");
    core.handle("log", (params) => void seen.push(params));
    const running = core.run(
      (async function* () {
        yield writes[0] as Uint8Array;
      })(),
    );
    await running.catch(() => undefined);
    await Bun.sleep(0);
    expect(seen).toEqual(Array.from({ length: 10 }, (_, n) => ({ n })));
  });

  test("chunks that arrive before the stream is asked for are kept", async () => {
    const { core, child } = channelPair();
    const id = child.sendStream(new Response("early bytes").body as ReadableStream<Uint8Array>);
    await Bun.sleep(20);
    expect(await text(core.receiveStream(id))).toBe("early bytes");
  });
});
