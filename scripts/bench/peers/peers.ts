// The Node-side peers as a scenario starts them (and the load client, which runs on Bun): built once per run
// (tsc to .tmp/bench-peers-<pid>, since Node runs no TypeScript and Nest's decorators need their own compiler
// settings), with each one's argv, so a scenario need know neither where they are compiled nor where node is.
import { rmSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dir, "..", "..", "..");
// One build directory per run: two runs at once (a shared machine) would otherwise delete each other's build.
const buildDir = join(root, ".tmp", `bench-peers-${process.pid}`);
const outDir = join(buildDir, "peers");

const compile = async () => {
  // From empty, so a source deleted since the last build leaves no runnable leftover behind.
  rmSync(buildDir, { recursive: true, force: true });
  process.once("exit", () => rmSync(buildDir, { recursive: true, force: true }));
  const tsc = join(root, "node_modules", ".bin", "tsc");
  const child = Bun.spawn([tsc, "-p", join(import.meta.dir, "tsconfig.json"), "--outDir", buildDir], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (code !== 0) throw new Error(`building the Node peers (tsc -p scripts/bench/peers) failed:\n${out}${err}`);
};

let built: Promise<void> | undefined;
/** Compiles the peers (a few seconds); later calls in the same run share that build. */
export const buildPeers = (): Promise<void> => {
  built ??= compile();
  return built;
};

const node = (): string => {
  const path = Bun.which("node");
  if (!path) throw new Error("the Node peers need `node` on PATH");
  return path;
};

export interface NestPeerOptions {
  /** Tessera's SQLite file (migrated, with users and sessions). */
  db: string;
  /** SHA-256 of each accepted API key, 64 hex digits. */
  apiKeyHashes: readonly string[];
  jwksFile: string;
  issuer: string;
  audience: string;
}

export const nestArgv = (options: NestPeerOptions): string[] => [
  node(),
  join(outDir, "nest", "main.js"),
  "--db",
  options.db,
  ...options.apiKeyHashes.flatMap((hash) => ["--api-key-hash", hash]),
  "--jwks",
  options.jwksFile,
  "--issuer",
  options.issuer,
  "--audience",
  options.audience,
];

export const socketIoArgv = (db: string): string[] => [node(), join(outDir, "socketio", "server.js"), "--db", db];

/**
 * The WebSocket load client, for every contender; its flags are passed through as its usage line gives them.
 * The same compiled client runs on Bun rather than Node: a connect costs it less CPU there, and on a small
 * machine the client shares the CPUs with the server it measures.
 */
export const wsLoadArgv = (flags: readonly string[]): string[] => [
  process.execPath,
  join(outDir, "load", "load-client.js"),
  ...flags,
];
