// SIGTERM as a rolling deploy sends it: requests already accepted (bodies half sent, handlers waiting
// on the database) finish with their normal answer, new connections are refused, the process exits 0.
// The handlers are held mid-way by a table lock the test takes in PostgreSQL and releases after SIGTERM.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { createScratchDatabase, postgresTestUrl } from "../../support/postgres";
import { type ServedInstance, serveProcess } from "../../support/serve-process";

const postgres = await postgresTestUrl();

const SHUTDOWN_TIMEOUT_MS = 10_000;
const HELD_HANDLERS = 6;
const HALF_SENT_BODIES = 5;

interface Signed {
  served: ServedInstance;
  token: string;
  http(path: string, init?: RequestInit): Promise<Response>;
}

const start = async (databaseUrl: string): Promise<Signed> => {
  const served = await serveProcess({
    database: { url: databaseUrl },
    server: { shutdownTimeoutMs: SHUTDOWN_TIMEOUT_MS },
    log: { level: "warn" },
  });
  const email = `leaving-${crypto.randomUUID()}@example.com`;
  const created = await served.cli("users", "create", "--email", email);
  if (created.code !== 0) throw new Error(`users create: ${created.stderr}`);
  const session = await served.cli("sessions", "create", "--email", email);
  if (session.code !== 0) throw new Error(`sessions create: ${session.stderr}`);
  const token = session.stdout.trim();
  const http = (path: string, init: RequestInit = {}) =>
    fetch(`${served.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...init.headers },
    });
  return { served, token, http };
};

/** A request body that sends its first half now and the rest when `finish` is called. */
const halfSentBody = (json: string) => {
  const encoder = new TextEncoder();
  const half = Math.floor(json.length / 2);
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(opened) {
      controller = opened;
      opened.enqueue(encoder.encode(json.slice(0, half)));
    },
  });
  return {
    body,
    finish() {
      controller?.enqueue(encoder.encode(json.slice(half)));
      controller?.close();
    },
  };
};

const exitWithin = async (served: ServedInstance, ms: number) => {
  const started = performance.now();
  const code = await Promise.race([served.process.exited, Bun.sleep(ms).then(() => "still running" as const)]);
  return { code, ms: performance.now() - started };
};

const codeOf = (error: unknown) => (error as { code?: string }).code ?? String(error);

/** The status, or the network error's code when the request got no answer. */
const outcome = (response: Promise<Response>): Promise<number | string> => response.then((answer) => answer.status, codeOf);

const refused = (url: string) => outcome(fetch(`${url}/healthz`));

describe.skipIf(!postgres)("shutdown", () => {
  let database: { url: string; drop: () => Promise<void> };
  beforeAll(async () => {
    database = await createScratchDatabase();
  });
  afterAll(() => database?.drop());

  test("SIGTERM lets accepted requests finish: half-sent bodies and handlers waiting on the database answer 201/200, new connections are refused, exit 0", async () => {
    const { served, http } = await start(database.url);
    const lock = new SQL(database.url, { max: 2 });
    const held = await lock.reserve();
    try {
      await held`BEGIN`;
      await held`LOCK TABLE workspaces IN ACCESS EXCLUSIVE MODE`;

      const waiting: Promise<number | string>[] = [];
      for (let i = 0; i < HELD_HANDLERS; i++) {
        waiting.push(
          outcome(
            i % 2 === 0
              ? http("/workspaces", { method: "POST", body: JSON.stringify({ name: `held ${i}` }) })
              : http("/workspaces"),
          ),
        );
      }
      const bodies = Array.from({ length: HALF_SENT_BODIES }, (_, i) => halfSentBody(JSON.stringify({ name: `half ${i}` })));
      const halfSent = bodies.map(({ body }) =>
        outcome(http("/workspaces", { method: "POST", body, duplex: "half" } as RequestInit & { duplex: "half" })),
      );
      for (let i = 0; i < 100; i++) {
        const [row] =
          await lock`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`;
        if (row.n >= HELD_HANDLERS) break;
        await Bun.sleep(50);
      }

      served.process.kill("SIGTERM");
      await Bun.sleep(300);
      expect(await refused(served.url)).toBe("ECONNREFUSED");

      for (const body of bodies) body.finish();
      await Bun.sleep(200);
      await held`COMMIT`;

      const statuses = await Promise.all([...waiting, ...halfSent]);
      expect(statuses).toEqual([201, 200, 201, 200, 201, 200, ...bodies.map(() => 201)]);
      const exit = await exitWithin(served, SHUTDOWN_TIMEOUT_MS);
      expect(exit.code).toBe(0);
    } finally {
      held.release();
      await lock.close();
      served.process.kill("SIGKILL");
    }
  }, 30_000);

  test("SIGTERM under a steady load answers no 5xx: every request either completes or is refused a connection", async () => {
    const { served, http } = await start(database.url);
    const statuses: number[] = [];
    const failures: string[] = [];
    let stopped = false;
    const worker = async (n: number) => {
      for (let i = 0; i < 400 && !stopped; i++) {
        try {
          const response =
            i % 2 === 0
              ? await http("/workspaces", { method: "POST", body: JSON.stringify({ name: `load ${n}-${i}` }) })
              : await http("/workspaces");
          await response.arrayBuffer();
          statuses.push(response.status);
        } catch (error) {
          failures.push(codeOf(error));
          return;
        }
      }
    };
    try {
      const workers = Array.from({ length: 8 }, (_, n) => worker(n));
      await Bun.sleep(700);
      served.process.kill("SIGTERM");
      const exit = await exitWithin(served, SHUTDOWN_TIMEOUT_MS);
      stopped = true;
      await Promise.all(workers);
      expect(statuses.length).toBeGreaterThan(0);
      expect(statuses.filter((status) => status >= 500)).toEqual([]);
      expect(new Set(statuses)).toEqual(new Set([200, 201]));
      expect(failures.filter((code) => code !== "ECONNREFUSED" && code !== "ECONNRESET")).toEqual([]);
      expect(exit.code).toBe(0);
    } finally {
      stopped = true;
      served.process.kill("SIGKILL");
    }
  }, 30_000);
});
