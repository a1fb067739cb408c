import { describe, expect, test } from "bun:test";
import { encodeFrame, FRAME, MAX_FRAME, readFrames, WireError } from "../../../../core/isolation/wire/frames";

const source = async function* (...chunks: Uint8Array[]) {
  for (const chunk of chunks) yield chunk;
};

const collect = async (iterable: AsyncIterable<unknown>) => {
  const out = [];
  for await (const item of iterable) out.push(item);
  return out;
};

describe("frames", () => {
  test("reads frames however the bytes are cut", async () => {
    const a = encodeFrame(FRAME.message, 0, new TextEncoder().encode('{"x":1}'));
    const b = encodeFrame(FRAME.chunk, 7, new Uint8Array([1, 2, 3]));
    const c = encodeFrame(FRAME.end, 7);
    const all = new Uint8Array([...a, ...b, ...c]);
    const oneByteAtATime = [...all].map((byte) => new Uint8Array([byte]));
    for (const chunks of [[all], oneByteAtATime]) {
      const frames = await collect(readFrames(source(...chunks)));
      expect(frames).toEqual([
        { kind: FRAME.message, id: 0, payload: new TextEncoder().encode('{"x":1}') },
        { kind: FRAME.chunk, id: 7, payload: new Uint8Array([1, 2, 3]) },
        { kind: FRAME.end, id: 7, payload: new Uint8Array(0) },
      ]);
    }
  });

  test("refuses a frame longer than the maximum before buffering it", async () => {
    const header = new Uint8Array(9);
    new DataView(header.buffer).setUint32(0, MAX_FRAME + 1);
    await expect(collect(readFrames(source(header)))).rejects.toThrow(WireError);
  });

  test("refuses an unknown kind and a stream cut inside a frame", async () => {
    const bad = encodeFrame(FRAME.message, 0, new Uint8Array([1]));
    bad[4] = 9;
    await expect(collect(readFrames(source(bad)))).rejects.toThrow("unknown frame kind 9");
    const cut = encodeFrame(FRAME.chunk, 1, new Uint8Array(10)).slice(0, 12);
    await expect(collect(readFrames(source(cut)))).rejects.toThrow("inside a frame");
  });
});
