// Two isolation-protocol channels wired to each other in memory: a core end and a child end, for tests of
// either side's handlers without a process.
import { Channel } from "../../core/isolation/wire/channel";

/** One direction of a pipe in memory: what is written is read, in order, until it ends. */
export const pipe = () => {
  const queue: Uint8Array[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  return {
    write(bytes: Uint8Array) {
      queue.push(bytes);
      wake?.();
    },
    end() {
      ended = true;
      wake?.();
    },
    async *read(): AsyncGenerator<Uint8Array> {
      for (;;) {
        while (queue.length) yield queue.shift() as Uint8Array;
        if (ended) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
  };
};

export const channelPair = () => {
  const toChild = pipe();
  const toCore = pipe();
  const core = new Channel((bytes) => toChild.write(bytes), "core");
  const child = new Channel((bytes) => toCore.write(bytes), "child");
  void core.run(toCore.read()).catch(() => undefined);
  void child.run(toChild.read()).catch(() => undefined);
  return {
    core,
    child,
    toChild,
    toCore,
    close() {
      toChild.end();
      toCore.end();
    },
  };
};
