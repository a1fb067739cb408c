// An in-process instance with federation on (the example agents as types, short timeouts), an admin, a
// workspace member, and helpers to post to its inbox and to make a fake peer one of its active peers.
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createSession } from "../../../../core/identity/sessions";
import { createUser, findUserByEmail } from "../../../../core/identity/users";
import { createWorkspace } from "../../../../core/identity/workspaces";
import { createLogger } from "../../../../core/log/json-logger";
import { createRuntime, type Runtime } from "../../../../core/runtime/create-runtime";
import type { PeerGrants } from "../../../../plugins/federation/peers/grants";
import { type PeerStatus, savePeer } from "../../../../plugins/federation/peers/peer-store";
import { makeTempDir } from "../../../support/test-runtime";
import type { FakePeer } from "./fake-peer";
import { ROOT } from "./runner-harness";

export const SPOKE_URL = "http://spoke.test";
/** Nothing listens there: messages the spoke sends to fake peers fail at once and stay in its outbox. */
export const FAKE_PEER_HOST = "127.0.0.1:9";

/** The test section; `agents` overrides are merged into the defaults, other keys replace them. */
export const federationSection = ({ agents = {}, ...overrides }: Record<string, unknown> = {}) => ({
  enabled: true,
  peers: { allowedHosts: [FAKE_PEER_HOST] },
  agents: {
    types: {
      echo: { command: ["bun", join(ROOT, "scripts/agents/echo.ts")], timeoutMs: 10_000 },
      sleeper: { command: ["bun", join(ROOT, "scripts/agents/sleeper.ts")], timeoutMs: 10_000 },
    },
    maxConcurrent: 4,
    maxConcurrentPerPeer: 2,
    killGraceMs: 300,
    ...(typeof agents === "object" ? agents : {}),
  },
  delivery: { timeoutMs: 1000, baseDelayMs: 50, maxDelayMs: 200 },
  ...overrides,
});

export const ALL_GRANTS: PeerGrants = {
  commands: ["agent.spawn", "agent.status", "agent.kill", "agent.list"],
  agentTypes: ["echo", "sleeper"],
};

export interface Spoke {
  runtime: Runtime;
  dir: string;
  /** This instance's id (the `aud` of messages to it). */
  id: string;
  tokens: { admin: string; member: string };
  workspaceId: string;
  inbox(body: BodyInit, headers?: Record<string, string>): Promise<Response>;
  request(path: string, init?: RequestInit & { as?: "admin" | "member" }): Promise<Response>;
  /** Records the fake peer as a peer of this instance, its key pinned. */
  addPeer(peer: FakePeer, grants?: PeerGrants, status?: PeerStatus): Promise<void>;
  agentCount(): Promise<number>;
  /** Stops the runtime; the directory (and a file database in it) stays for `restart`. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

export interface SpokeOptions {
  federation?: Record<string, unknown>;
  /** Keep state in a SQLite file in this directory (default: in memory, a new directory). */
  dir?: string;
  /** Log lines (info and up) land here. */
  logs?: string[];
}

/** The spoke's whole config file; a reload test writes it again with other federation settings. */
export const spokeConfig = (federation?: Record<string, unknown>, database = "sqlite::memory:") => ({
  server: { publicUrl: SPOKE_URL },
  database: { url: database },
  admins: ["admin@example.com"],
  plugins: { federation: federationSection(federation) },
});

export const startSpoke = async (options: SpokeOptions = {}): Promise<Spoke> => {
  const dir = options.dir ?? makeTempDir("fed-");
  const file = join(dir, "tessera.jsonc");
  const config = spokeConfig(options.federation, options.dir ? "sqlite:./tessera.db" : "sqlite::memory:");
  writeFileSync(file, JSON.stringify(config));
  const { logs } = options;
  const log = createLogger({ level: logs ? "info" : "error", write: (line) => logs?.push(line) });
  const runtime = await createRuntime({ file, env: {}, cwd: dir, log });
  await runtime.start();
  const { db } = runtime;
  // A restart on the same directory finds the admin already there.
  const admin =
    (await findUserByEmail(db, "admin@example.com")) ?? (await createUser(db, { email: "admin@example.com", name: "Admin" }));
  const member = await createUser(db, { email: `member-${crypto.randomUUID()}@example.com`, name: "Member" });
  const workspace = await createWorkspace(db, "Agents", member.id);
  const session = async (userId: string) => (await createSession(db, userId, { ttlMs: 3_600_000 })).token;
  const tokens = { admin: await session(admin.id), member: await session(member.id) };
  const identity = await (await runtime.app.handle(new Request(`${SPOKE_URL}/.well-known/tessera`))).json();
  const request = (path: string, init: RequestInit & { as?: "admin" | "member" } = {}) => {
    const { as, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (as) headers.set("authorization", `Bearer ${tokens[as]}`);
    if (typeof rest.body === "string" && !headers.has("content-type")) headers.set("content-type", "application/json");
    return runtime.app.handle(new Request(`${SPOKE_URL}${path}`, { ...rest, headers }));
  };
  return {
    runtime,
    dir,
    id: identity.id,
    tokens,
    workspaceId: workspace.id,
    inbox: (body, headers = {}) =>
      request("/federation/v1/inbox", { method: "POST", body, headers: { "content-type": "application/jose", ...headers } }),
    request,
    async addPeer(peer, grants = ALL_GRANTS, status = "active") {
      const now = Date.now();
      await savePeer(db, {
        id: peer.id,
        url: peer.url,
        name: "fake",
        status,
        keys: [peer.key.jwk],
        grants,
        createdAt: now,
        updatedAt: now,
      });
    },
    async agentCount() {
      return (await db.orm.select().from(db.tables.agents)).length;
    },
    stop: () => runtime.stop(),
    async close() {
      await runtime.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
