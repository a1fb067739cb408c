// The child's side of the pipe: frames in on stdin, frames out on stdout. Deno's write may take only
// part of a buffer, so each frame is written to the end before the channel sends the next.
import { deno } from "./deno";

export const writeStdout = async (bytes: Uint8Array): Promise<void> => {
  for (let offset = 0; offset < bytes.length; ) offset += await deno.stdout.write(bytes.subarray(offset));
};

export const readStdin = (): AsyncIterable<Uint8Array> => deno.stdin.readable;
