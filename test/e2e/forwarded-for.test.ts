// X-Forwarded-For against a real `tessera serve` behind a (pretend) trusted proxy: a value that is not an
// address must not become the client's identity, or every request could pick a fresh per-IP bucket.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { attemptUpgrade } from "../plugins/websocket/support/probe";
import { type ServedInstance, serveProcess } from "../support/serve-process";

const PER_IP = 3;

let served: ServedInstance;
beforeAll(async () => {
  served = await serveProcess({
    server: { trustProxy: true },
    database: { url: "sqlite:./data/tessera.db" },
    log: { level: "warn" },
    plugins: { websocket: { enabled: true, connectionAttemptsPerMinutePerIp: PER_IP } },
  });
}, 30_000);
afterAll(() => served.stop());

describe("X-Forwarded-For with server.trustProxy", () => {
  test("refuses to take invalid forwarded addresses as new clients: 5 upgrades from one socket, 3 through", async () => {
    const forged = ["not-an-address", "999.1.1.1", "x".repeat(8000), "1.2.3.4.5", "[2001:db8::1"];
    const statuses: number[] = [];
    for (const value of forged) {
      const response = await attemptUpgrade(`${served.url.replace(/^http/, "ws")}/ws`, { "x-forwarded-for": value });
      statuses.push(response.status);
      await response.body?.cancel();
    }
    expect(statuses.filter((status) => status !== 429)).toHaveLength(PER_IP);
    expect(statuses.slice(PER_IP)).toEqual([429, 429]);
  });
});
