// Starts the isolated fixture plugin's Deno child exactly as the core does (its flags, environment and
// working directory), and speaks to it as the core: a Channel over its stdin and stdout.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "bun";
import { type ChildKit, childKit } from "../../../../core/isolation/child-kit";
import { childCommand, childEnv } from "../../../../core/isolation/deno-flags";
import { Channel } from "../../../../core/isolation/wire/channel";
import type { Denied, Hello, HttpParams, HttpResult, LogLine, SetupParams } from "../../../../core/isolation/wire/protocol";
import type { Grants } from "../../../../core/plugins/define-plugin";

const ROOT = join(import.meta.dir, "..", "..", "..", "..");
export const FIXTURE = join(ROOT, "test", "fixtures", "isolated-plugin");
// One Deno cache for every test run: transpiling the graph is the slow part of a cold start.
const DENO_DIR = join(tmpdir(), "tessera-test-deno-cache");

async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) yield read.value;
}

export interface RunningChild {
  channel: Channel;
  hello: Promise<Hello>;
  logs: LogLine[];
  denied: Denied[];
  stderr: Promise<string>;
  exited: Promise<number>;
  /** Closes the child's stdin, as the core does when it goes. */
  closeStdin(): void;
  kill(): void;
}

/** The source tree's kit unless a test gives the binary's (`childKit(dir, bundleChildKit())`). */
export const runChild = (
  grants: Partial<Grants> = {},
  env: Record<string, string> = {},
  given?: ChildKit,
  memoryMb = 256,
): RunningChild => {
  const granted: Grants = { net: [], env: [], routes: ["/probe"], ...grants };
  const kit = given ?? childKit(mkdtempSync(join(tmpdir(), "tessera-kit-")));
  const command = childCommand({
    deno: join(ROOT, "node_modules", ".bin", "deno"),
    kit,
    plugin: { specifier: "./isolated-plugin", entry: join(FIXTURE, "index.ts"), folder: FIXTURE },
    grants: granted,
    memoryMb,
  });
  const child = spawn(command, {
    cwd: kit.cwd,
    env: childEnv(granted.env, { ...process.env, ...env }, DENO_DIR),
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  const channel = new Channel((bytes) => {
    child.stdin.write(bytes);
    child.stdin.flush();
  }, "core");
  const logs: LogLine[] = [];
  const denied: Denied[] = [];
  let helloReceived: (hello: Hello) => void = () => undefined;
  const hello = new Promise<Hello>((resolve) => {
    helloReceived = resolve;
  });
  channel.handle("hello", (params) => helloReceived(params as Hello));
  channel.handle("log", (params) => void logs.push(params as LogLine));
  channel.handle("denied", (params) => void denied.push(params as Denied));
  channel.run(chunksOf(child.stdout)).catch(() => undefined);
  return {
    channel,
    hello,
    logs,
    denied,
    stderr: new Response(child.stderr).text(),
    exited: child.exited,
    closeStdin: () => void child.stdin.end(),
    kill: () => child.kill(),
  };
};

export interface Answer {
  status: number;
  headers: Headers;
  body: ReadableStream<Uint8Array> | null;
}

let requests = 0;

/** One forwarded request, as the core sends it; an error reply rejects with the TesseraError it carries. */
export const send = async (
  child: RunningChild,
  method: string,
  path: string,
  init: { body?: BodyInit; headers?: Record<string, string>; request?: number } = {},
): Promise<Answer> => {
  const body =
    init.body === undefined ? undefined : child.channel.sendStream(new Response(init.body).body ?? new ReadableStream());
  const result = (await child.channel.call("http", {
    request: init.request ?? ++requests,
    method,
    url: `http://localhost:3000${path}`,
    headers: Object.entries(init.headers ?? {}),
    ...(body === undefined ? {} : { body }),
    requestId: `test-${requests}`,
    clientAddress: "203.0.113.9",
  } satisfies HttpParams)) as HttpResult;
  return {
    status: result.status,
    headers: new Headers(result.headers),
    body:
      result.body !== undefined
        ? child.channel.receiveStream(result.body)
        : result.inline === undefined
          ? null
          : new Response(Buffer.from(result.inline, "base64")).body,
  };
};

export const json = async (answer: Answer): Promise<unknown> => new Response(answer.body).json();

export const SETUP: SetupParams = {
  name: "probe",
  config: { greeting: "world" },
  instance: { publicUrl: "http://localhost:3000", allowedOrigins: ["http://localhost:3000"], admins: [], instanceId: "test" },
  grants: { net: [], env: [], routes: ["/probe"] },
};

/** A child with the fixture configured and set up (and, with `dialect`, a database). */
export const setUpChild = async (
  grants: Partial<Grants> = {},
  env: Record<string, string> = {},
  setup: Partial<SetupParams> = {},
  kit?: ChildKit,
  memoryMb?: number,
) => {
  const child = runChild(grants, env, kit, memoryMb);
  await child.hello;
  const { config } = (await child.channel.call("configure", { specifier: "./isolated-plugin", section: { enabled: true } })) as {
    config: unknown;
  };
  await child.channel.call("setup", { ...SETUP, config, grants: { ...SETUP.grants, ...grants }, ...setup } satisfies SetupParams);
  return child;
};
