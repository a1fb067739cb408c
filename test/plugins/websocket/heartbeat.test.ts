import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createSession } from "../../../core/identity/sessions";
import { createUser } from "../../../core/identity/users";
import { startTestRuntime, type TestRuntime } from "../../support/test-runtime";
import { openProbe } from "./support/probe";

// The shortest heartbeat the config allows; the test takes about two of them.
const HEARTBEAT_MS = 4000;
// One that is not a multiple of Bun's 4-second timer step, where a proxy timing out just past the
// interval would catch a late ping.
const ODD_HEARTBEAT_MS = 9000;
// Bun pings a silent socket and closes it if no answer comes within a grace of 4, 8 or 16 s.
const MAX_GRACE_MS = 16_000;
const PING_OPCODE_BYTE = 0x89;

interface Served {
  t: TestRuntime;
  port: number;
  token: string;
}

const serve = async (heartbeatIntervalMs: number): Promise<Served> => {
  const t = await startTestRuntime({ plugins: { websocket: { enabled: true, heartbeatIntervalMs } } });
  t.runtime.app.listen({ port: 0, hostname: "127.0.0.1" });
  const user = await createUser(t.runtime.db, { email: "heartbeat@example.com" });
  const token = (await createSession(t.runtime.db, user.id, { ttlMs: 3_600_000 })).token;
  return { t, port: t.runtime.app.server?.port ?? 0, token };
};

let shortest: Served;
let odd: Served;
beforeAll(async () => {
  [shortest, odd] = await Promise.all([serve(HEARTBEAT_MS), serve(ODD_HEARTBEAT_MS)]);
});
afterAll(async () => {
  for (const { t } of [shortest, odd]) {
    await t.close();
    await t.runtime.app.stop(true);
  }
});

/** An authenticated socket on raw TCP that never answers anything: a peer that died without a FIN. */
const openSilentPeer = async ({ port, token }: Served) => {
  const opened = performance.now();
  const seen: { pingAt?: number; closedAt?: number } = {};
  let upgraded = false;
  const closed = new Promise<void>((resolve) => {
    void Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        open(socket) {
          socket.write(
            `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
              `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer ${token}\r\n\r\n`,
          );
        },
        data(_socket, chunk) {
          // The 101 and `ready` arrive first; after that this server sends a silent peer nothing but pings.
          if (upgraded && chunk[0] === PING_OPCODE_BYTE) seen.pingAt ??= performance.now() - opened;
          upgraded = true;
        },
        close() {
          seen.closedAt = performance.now() - opened;
          resolve();
        },
      },
    });
  });
  return { seen, closed };
};

describe("websocket heartbeats", () => {
  test(
    "a silent peer is pinged after one heartbeat and reaped after two; a peer that answers stays",
    async () => {
      const { port, token } = shortest;
      const live = await openProbe(`ws://127.0.0.1:${port}/ws`, { headers: { authorization: `Bearer ${token}` } });
      await live.next("ready");
      const silent = await openSilentPeer(shortest);
      await silent.closed;
      expect(silent.seen.pingAt).toBeGreaterThanOrEqual(HEARTBEAT_MS * 0.9);
      expect(silent.seen.pingAt).toBeLessThan(HEARTBEAT_MS * 1.5);
      expect(silent.seen.closedAt).toBeGreaterThanOrEqual(HEARTBEAT_MS * 1.9);
      expect(silent.seen.closedAt).toBeLessThan(HEARTBEAT_MS * 2.5);

      // Opened first and silent at the application level too, but its client answers protocol pings.
      live.send({ type: "ping" });
      await live.next("pong");
      live.close();
    },
    3 * HEARTBEAT_MS,
  );

  test(
    "never lets a socket stay silent longer than the heartbeat interval before pinging it",
    async () => {
      const silent = await openSilentPeer(odd);
      await silent.closed;
      expect(silent.seen.pingAt).toBeLessThanOrEqual(ODD_HEARTBEAT_MS);
      // Bun's timer steps are 4 s: the ping may come up to one step before the interval runs out.
      expect(silent.seen.pingAt).toBeGreaterThanOrEqual(ODD_HEARTBEAT_MS - 2 * 4000);
      expect(silent.seen.closedAt).toBeLessThanOrEqual(ODD_HEARTBEAT_MS + MAX_GRACE_MS);
    },
    ODD_HEARTBEAT_MS + MAX_GRACE_MS + 2000,
  );
});
