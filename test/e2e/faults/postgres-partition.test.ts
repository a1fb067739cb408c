// PostgreSQL cut off behind a TCP proxy, as a network partition or a dead switch would: connections stay
// open and nothing passes. Requests must answer 503 problem+json with Retry-After in bounded time, not
// hang until TCP gives up, and the instance must work again once packets pass, without a restart.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createScratchDatabase, postgresTestUrl } from "../../support/postgres";
import { type ServedInstance, serveProcess } from "../../support/serve-process";
import { startTcpProxy, type TcpProxy } from "../../support/tcp-proxy";

const postgres = await postgresTestUrl();

/** The documented bound with the default deadlines, plus slack for a machine busy with other suites. */
const DEFAULT_BOUND_MS = 5_000 + 1_500;
const GIVE_UP_MS = 12_000;

interface Outcome {
  status: number | string;
  code?: string;
  retryAfter?: string | null;
  contentType?: string | null;
  ms: number;
}

interface Instance {
  served: ServedInstance;
  call(path: string, init?: RequestInit): Promise<Outcome>;
}

const start = async (databaseUrl: string, config: { server?: object; database?: object } = {}): Promise<Instance> => {
  const served = await serveProcess({
    server: { ...config.server },
    database: { url: databaseUrl, ...config.database },
    log: { level: "error" },
  });
  const email = `partitioned-${crypto.randomUUID()}@example.com`;
  const created = await served.cli("users", "create", "--email", email);
  if (created.code !== 0) throw new Error(`users create: ${created.stderr}`);
  const session = await served.cli("sessions", "create", "--email", email);
  if (session.code !== 0) throw new Error(`sessions create: ${session.stderr}`);
  const token = session.stdout.trim();
  const call = async (path: string, init: RequestInit = {}): Promise<Outcome> => {
    const started = performance.now();
    try {
      const response = await fetch(`${served.url}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        signal: AbortSignal.timeout(GIVE_UP_MS),
      });
      const body = await response.text();
      const code = response.headers.get("content-type")?.includes("json") ? JSON.parse(body).code : undefined;
      return {
        status: response.status,
        code,
        retryAfter: response.headers.get("retry-after"),
        contentType: response.headers.get("content-type"),
        ms: performance.now() - started,
      };
    } catch (error) {
      return { status: (error as { name?: string }).name ?? String(error), ms: performance.now() - started };
    }
  };
  return { served, call };
};

const createWorkspace = { method: "POST", body: JSON.stringify({ name: "during a partition" }) };

/** Polls until the instance answers GET /workspaces with 200 again; returns how long that took. */
const recovered = async ({ call }: Instance) => {
  const started = performance.now();
  for (;;) {
    const outcome = await call("/workspaces");
    if (outcome.status === 200 || performance.now() - started > GIVE_UP_MS)
      return { ...outcome, after: performance.now() - started };
    await Bun.sleep(200);
  }
};

describe.skipIf(!postgres)("PostgreSQL partitioned", () => {
  let database: { url: string; drop: () => Promise<void> };
  let proxy: TcpProxy;
  beforeAll(async () => {
    database = await createScratchDatabase();
    const admin = new URL(database.url);
    proxy = await startTcpProxy({ hostname: admin.hostname, port: Number(admin.port || 5432) });
  });
  afterAll(async () => {
    proxy?.close();
    await database?.drop();
  });

  test("a stalled database answers 503 ERR_DB_UNREACHABLE with Retry-After within the default bound, and the instance recovers when packets pass", async () => {
    proxy.pass();
    const instance = await start(proxy.urlFor(database.url));
    try {
      expect((await instance.call("/workspaces")).status).toBe(200);

      proxy.stall();
      const outcomes = await Promise.all([
        ...Array.from({ length: 6 }, () => instance.call("/workspaces")),
        ...Array.from({ length: 6 }, () => instance.call("/workspaces", createWorkspace)),
      ]);
      for (const outcome of outcomes) {
        expect(outcome).toMatchObject({
          status: 503,
          code: "ERR_DB_UNREACHABLE",
          retryAfter: "1",
          contentType: "application/problem+json",
        });
        expect(outcome.ms).toBeLessThan(DEFAULT_BOUND_MS);
      }
      const ready = await instance.call("/readyz");
      expect(ready.status).toBe(503);
      expect(ready.ms).toBeLessThan(DEFAULT_BOUND_MS);

      proxy.pass();
      expect((await recovered(instance)).status).toBe(200);
      expect((await instance.call("/workspaces", createWorkspace)).status).toBe(201);
      expect((await instance.call("/readyz")).status).toBe(200);
    } finally {
      proxy.pass();
      await instance.served.stop("SIGKILL");
    }
  }, 30_000);

  test("a refused database (nothing listens) answers 503 at once, and the instance reconnects when it is back", async () => {
    proxy.pass();
    const instance = await start(proxy.urlFor(database.url));
    try {
      expect((await instance.call("/workspaces")).status).toBe(200);
      proxy.refuse();
      const outcome = await instance.call("/workspaces", createWorkspace);
      expect(outcome).toMatchObject({ status: 503, code: "ERR_DB_UNREACHABLE", retryAfter: "1" });
      expect(outcome.ms).toBeLessThan(DEFAULT_BOUND_MS);
      proxy.pass();
      expect((await recovered(instance)).status).toBe(200);
      expect((await instance.call("/workspaces", createWorkspace)).status).toBe(201);
    } finally {
      proxy.pass();
      await instance.served.stop("SIGKILL");
    }
  }, 30_000);

  test("the request deadline answers 503 ERR_REQUEST_TIMEOUT when a request waits longer than server.requestTimeoutMs", async () => {
    proxy.pass();
    const instance = await start(proxy.urlFor(database.url), {
      server: { requestTimeoutMs: 1_000 },
      database: { statementTimeoutMs: 20_000 },
    });
    try {
      expect((await instance.call("/workspaces")).status).toBe(200);
      proxy.stall();
      const outcome = await instance.call("/workspaces", createWorkspace);
      expect(outcome).toMatchObject({
        status: 503,
        code: "ERR_REQUEST_TIMEOUT",
        retryAfter: "1",
        contentType: "application/problem+json",
      });
      expect(outcome.ms).toBeGreaterThanOrEqual(900);
      expect(outcome.ms).toBeLessThan(1_000 + 1_500);
      proxy.pass();
      expect((await recovered(instance)).status).toBe(200);
    } finally {
      proxy.pass();
      await instance.served.stop("SIGKILL");
    }
  }, 30_000);
});
