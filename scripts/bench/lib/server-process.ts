// Starts a contender as its own process and waits until it answers, so every contender is measured
// the same way: a separate process on loopback.
import type { Subprocess } from "bun";

export interface ServerProcess {
  url: string;
  process: Subprocess;
  stop(): Promise<void>;
}

/** Runs `argv`; the process must print `listening on <url>` (any case) when it is ready. */
export const startServer = async (
  argv: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<ServerProcess> => {
  const child = Bun.spawn(argv, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdout: "pipe", stderr: "pipe" });
  let output = "";
  const read = async (stream: ReadableStream<Uint8Array>) => {
    const reader = stream.getReader();
    const decoder = new TextDecoder();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) output += decoder.decode(chunk.value);
  };
  void read(child.stdout);
  void read(child.stderr);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const url = /listening on (http:\/\/\S+)/i.exec(output)?.[1];
    if (url) {
      return {
        url,
        process: child,
        stop: async () => {
          child.kill("SIGTERM");
          const exited = await Promise.race([child.exited, Bun.sleep(3000).then(() => null)]);
          if (exited === null) child.kill("SIGKILL");
        },
      };
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${argv.join(" ")} did not start:\n${output}`);
    }
    await Bun.sleep(10);
  }
};
