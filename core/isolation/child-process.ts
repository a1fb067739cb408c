// One isolated plugin's Deno child: spawned as the leader of its own session and process group, its stdin
// and stdout the channel's frames, its stderr logged line by line as the plugin's. Ready once its `hello`
// names this protocol version; ended by closing its stdin and signalling its group.
import type { Subprocess } from "bun";
import { TesseraError } from "../errors/tessera-error";
import type { Logger } from "../log/logger";
import { processStartTime, type RunProcess, signalRun } from "../runtime/process-group";
import type { ChildRecords } from "./child-records";
import { Channel } from "./wire/channel";
import { type Hello, PROTOCOL_VERSION } from "./wire/protocol";

export interface ChildSpec {
  command: string[];
  env: Record<string, string>;
  cwd: string;
  /** The plugin's logger: its stderr lands there. */
  log: Logger;
  records: ChildRecords;
  /** Registers the handlers for the child's calls before anything is read from it. */
  serve: (channel: Channel) => void;
  /** For messages: the config key. */
  specifier: string;
  helloTimeoutMs?: number;
}

export interface RunningChild {
  channel: Channel;
  hello: Hello;
  pid: number;
  startedAt: number;
  /** Settles with the exit code once the process has ended. */
  exited: Promise<number>;
  /** The reason the channel ended: the child's output closed or broke the protocol. */
  broken: Promise<Error>;
  /** Closes stdin, then SIGTERM to the group, SIGKILL after `graceMs`; settles once it has exited. */
  end(graceMs?: number): Promise<void>;
}

const HELLO_TIMEOUT_MS = 10_000;
const STDERR_TAIL = 20;

const isHello = (value: unknown): value is Hello =>
  typeof value === "object" && value !== null && "protocol" in value && "runtime" in value && typeof value.runtime === "string";

async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) yield read.value;
}

const logLines = async (stream: ReadableStream<Uint8Array>, log: Logger, tail: string[]) => {
  const decoder = new TextDecoder();
  let pending = "";
  const emit = (line: string) => {
    if (line === "") return;
    tail.push(line);
    if (tail.length > STDERR_TAIL) tail.shift();
    log.warn("plugin stderr", { line });
  };
  for await (const chunk of chunksOf(stream)) {
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) emit(line);
  }
  emit(pending);
};

const waitFor = async (run: RunProcess, proc: Subprocess, graceMs: number) => {
  const timer = (ms: number) => new Promise<"late">((done) => setTimeout(() => done("late"), ms).unref());
  if ((await Promise.race([proc.exited, timer(graceMs)])) !== "late") return;
  signalRun(run, "SIGKILL", { ownChild: true });
  await proc.exited;
};

export const spawnChild = async (spec: ChildSpec): Promise<RunningChild> => {
  const proc = Bun.spawn(spec.command, {
    cwd: spec.cwd,
    env: spec.env,
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
    // setsid: its own session and process group, so a signal to the group reaches all of it.
    detached: true,
  });
  const run: RunProcess = { pid: proc.pid, startTime: processStartTime(proc.pid) };
  spec.records.add(run);
  const stdin = proc.stdin;
  const channel = new Channel(
    async (bytes) => {
      stdin.write(bytes);
      await stdin.flush();
    },
    "core",
    (write) => setImmediate(write),
  );
  let greet: (hello: Hello) => void = () => undefined;
  const greeted = new Promise<Hello>((resolve) => {
    greet = resolve;
  });
  channel.handle("hello", (params) => {
    if (isHello(params)) greet(params);
  });
  spec.serve(channel);
  const tail: string[] = [];
  const stderrRead = logLines(proc.stderr, spec.log, tail).catch(() => undefined);
  const broken = channel.run(chunksOf(proc.stdout)).then(
    () => new Error("the child closed its output"),
    (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
  );
  const exited = proc.exited.then((code) => {
    spec.records.remove(proc.pid);
    return code;
  });
  let ending: Promise<void> | undefined;
  const end = (graceMs = 2000) => {
    ending ??= (async () => {
      channel.close(new TesseraError("ERR_UNAVAILABLE", `Plugin "${spec.specifier}" is stopping`, { status: 503 }));
      try {
        await stdin.end();
      } catch {
        // Already closed: the child is gone.
      }
      signalRun(run, "SIGTERM", { ownChild: true });
      await waitFor(run, proc, graceMs);
      await exited;
    })();
    return ending;
  };

  const failed = (message: string) => {
    const detail = tail.length ? `:\n${tail.join("\n")}` : "";
    return new TesseraError("ERR_ISOLATION_RUNTIME", `Plugin "${spec.specifier}": ${message}${detail}`, {
      path: `plugins.${spec.specifier}`,
    });
  };
  const timeoutMs = spec.helloTimeoutMs ?? HELLO_TIMEOUT_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    greeted,
    exited.then(async (code) => {
      // The stderr that explains an early exit (a module that does not load) is the operator's answer.
      await Promise.race([stderrRead, Bun.sleep(500)]);
      return failed(`its Deno process exited (code ${code}) before it was ready`);
    }),
    new Promise<TesseraError>((done) => {
      timer = setTimeout(() => done(failed(`its Deno process sent no hello within ${timeoutMs} ms`)), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  if (outcome instanceof TesseraError) {
    await end(0);
    throw outcome;
  }
  if (outcome.protocol !== PROTOCOL_VERSION) {
    await end(0);
    throw new TesseraError(
      "ERR_ISOLATION_PROTOCOL",
      `Plugin "${spec.specifier}": its child speaks protocol ${String(outcome.protocol)} (${outcome.runtime}), this Tessera ${PROTOCOL_VERSION}`,
      { path: `plugins.${spec.specifier}` },
    );
  }
  return { channel, hello: outcome, pid: proc.pid, startedAt: Date.now(), exited, broken, end };
};
