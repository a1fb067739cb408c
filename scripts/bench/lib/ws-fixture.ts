// What the WebSocket scenarios share: one SQLite database made by Tessera's own CLI and API (users with
// sessions, workspaces they are all members of), the three contenders started on it, and the Node load
// client that drives any of them.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildPeers, socketIoArgv, wsLoadArgv } from "../peers/peers";
import { type ServerProcess, startServer } from "./server-process";
import { runTessera, TESSERA_MAIN } from "./tessera-cli";

const bun = process.execPath;

export type ContenderKind = "tessera" | "bun-pubsub" | "socket.io";
export const CONTENDER_KINDS: readonly ContenderKind[] = ["tessera", "bun-pubsub", "socket.io"];

export interface WsServer {
  kind: ContenderKind;
  pid: number;
  /** The load client's flags that point it at this server. */
  target: string[];
  stop(): Promise<void>;
}

export interface WsFixture {
  /** A fresh server process of one kind on the fixture's database. */
  start(kind: ContenderKind): Promise<WsServer>;
  /** The workspaces, for --workspaces. */
  workspaces: string[];
  /** Runs the load client to the end; its JSON result. */
  load(server: WsServer, flags: string[]): Promise<Record<string, number>>;
  /** Runs the load client in --mode idle: resolves once it holds its connections; `release` ends it. */
  hold(server: WsServer, flags: string[]): Promise<{ release(): Promise<void> }>;
  cleanup(): Promise<void>;
}

const USERS = 10;

const ok = async (response: Response, what: string) => {
  if (!response.ok) throw new Error(`${what}: ${response.status} ${await response.text()}`);
  return response;
};

/** Runs `work` over `items`, `lanes` at a time. */
const inLanes = async <T>(items: readonly T[], lanes: number, work: (item: T) => Promise<void>) => {
  let next = 0;
  const lane = async () => {
    for (let index = next++; index < items.length; index = next++) await work(items[index] as T);
  };
  await Promise.all(Array.from({ length: lanes }, lane));
};

/** The plugins every WebSocket scenario runs Tessera with, on one instance or several. */
export const benchPlugins = {
  // The per-user and per-IP limits still run on every message and upgrade; they are raised only so
  // that a few users can hold thousands of sockets from a few addresses.
  websocket: {
    enabled: true,
    maxConnectionsPerUser: 100_000,
    messagesPerSecond: 100_000,
    burst: 100_000,
    connectionAttemptsPerMinutePerIp: 10_000_000,
  },
  [join(import.meta.dir, "..", "contenders", "tessera-publish-plugin.ts")]: {
    enabled: true,
    permissions: { routes: ["/bench"] },
  },
};

const tesseraConfig = {
  database: { url: "sqlite:./tessera.db" },
  log: { level: "warn" },
  plugins: benchPlugins,
};

const startKind = async (kind: ContenderKind, dir: string): Promise<ServerProcess & { target: string[] }> => {
  const db = join(dir, "tessera.db");
  if (kind === "tessera") {
    const server = await startServer([bun, TESSERA_MAIN, "serve", "--port", "0"], { cwd: dir });
    return {
      ...server,
      target: ["--dialect", "tessera", "--url", `${server.url}/ws`, "--publish", `${server.url}/bench/publish`],
    };
  }
  if (kind === "bun-pubsub") {
    const server = await startServer([bun, join(import.meta.dir, "..", "contenders", "bun-pubsub.ts"), db], { cwd: dir });
    return { ...server, target: ["--dialect", "tessera", "--url", `${server.url}/ws`, "--publish", `${server.url}/publish`] };
  }
  const server = await startServer(socketIoArgv(db), { cwd: dir });
  return { ...server, target: ["--dialect", "socket.io", "--url", server.url, "--publish", `${server.url}/publish`] };
};

export interface BenchUsers {
  emails: string[];
  /** A day-long session token per user, in the same order. */
  tokens: string[];
  /** The tokens one a line, as the load client reads them. */
  tokensFile: string;
}

/** The load client's users, made with the CLI against the config in `dir`. */
export const createBenchUsers = async (dir: string, emailPrefix: string): Promise<BenchUsers> => {
  const emails = Array.from({ length: USERS }, (_, index) => `${emailPrefix}${index}@bench.example`);
  const tokens: string[] = [];
  for (const email of emails) {
    await runTessera(dir, "users", "create", "--email", email);
    tokens.push(await runTessera(dir, "sessions", "create", "--email", email, "--ttl", "1d"));
  }
  const tokensFile = join(dir, "tokens.txt");
  writeFileSync(tokensFile, `${tokens.join("\n")}\n`);
  return { emails, tokens, tokensFile };
};

/** `count` workspaces made through Tessera's API at `url` by the first user, every other user a member of each. */
export const createBenchWorkspaces = async (
  url: string,
  users: BenchUsers,
  count: number,
  namePrefix: string,
): Promise<string[]> => {
  const api = async (path: string, body: unknown) =>
    ok(
      await fetch(`${url}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${users.tokens[0]}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
      `POST ${path}`,
    );
  const workspaces: string[] = [];
  for (let index = 0; index < count; index++) {
    const created = await api("/workspaces", { name: `${namePrefix}-${index}` });
    workspaces.push(((await created.json()) as { id: string }).id);
  }
  const memberships = workspaces.flatMap((id) => users.emails.slice(1).map((email) => ({ id, email })));
  await inLanes(memberships, 16, async ({ id, email }) => {
    await api(`/workspaces/${id}/members`, { email, role: "member" });
  });
  return workspaces;
};

export const makeWsFixture = async (workspaceCount: number): Promise<WsFixture> => {
  await buildPeers();
  const dir = mkdtempSync(join(tmpdir(), "tessera-bench-ws-"));
  writeFileSync(join(dir, "tessera.jsonc"), JSON.stringify(tesseraConfig));
  const users = await createBenchUsers(dir, "ws");

  const setup = await startKind("tessera", dir);
  let workspaces: string[];
  try {
    workspaces = await createBenchWorkspaces(setup.url, users, workspaceCount, "bench");
  } finally {
    await setup.stop();
  }

  const running = new Set<WsServer>();
  const spawnLoad = (server: WsServer, flags: string[]) =>
    Bun.spawn(wsLoadArgv([...server.target, "--tokens", users.tokensFile, ...flags]), {
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    });
  const failure = async (child: ReturnType<typeof spawnLoad>, code: number) =>
    new Error(`load client for ${child.pid} exited ${code}: ${await new Response(child.stderr).text()}`);

  return {
    workspaces,
    async start(kind) {
      const started = await startKind(kind, dir);
      const server: WsServer = {
        kind,
        pid: started.process.pid,
        target: started.target,
        stop: async () => {
          running.delete(server);
          await started.stop();
        },
      };
      running.add(server);
      return server;
    },
    async load(server, flags) {
      const child = spawnLoad(server, flags);
      void child.stdin.end();
      const [out, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
      if (code !== 0) throw await failure(child, code);
      return JSON.parse(out.trim().split("\n").at(-1) ?? "{}");
    },
    async hold(server, flags) {
      const child = spawnLoad(server, ["--mode", "idle", ...flags]);
      const reader = child.stdout.getReader();
      const first = await reader.read();
      if (first.done || !new TextDecoder().decode(first.value).startsWith('{"held"'))
        throw await failure(child, await child.exited);
      return {
        async release() {
          void child.stdin.end();
          const code = await child.exited;
          if (code !== 0) throw await failure(child, code);
        },
      };
    },
    async cleanup() {
      for (const server of [...running]) await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
