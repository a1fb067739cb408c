// The child's side of the pipe: frames in on stdin, frames out on stdout. Writes are synchronous: the
// channel already gathers a turn's frames into one write, and a full pipe (a core not reading) should
// hold the child, not pile its answers up in memory. Deno may write only part of a buffer, so each write
// goes on to the end.
import { deno } from "./deno";

const READ_SIZE = 64 * 1024;

export const writeStdout = (bytes: Uint8Array): void => {
  for (let offset = 0; offset < bytes.length; ) offset += deno.stdout.writeSync(bytes.subarray(offset));
};

/**
 * stdin read straight into one buffer (a stream over it costs a promise chain a chunk); each chunk is a
 * copy of what was read, so the garbage collector sees a few bytes a read, not the whole buffer.
 */
export async function* readStdin(): AsyncGenerator<Uint8Array> {
  const buffer = new Uint8Array(READ_SIZE);
  for (;;) {
    const read = await deno.stdin.read(buffer);
    if (read === null) return;
    yield buffer.slice(0, read);
  }
}
