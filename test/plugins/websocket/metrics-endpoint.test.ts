// /metrics of a served instance with open WebSockets and event streams: the gauges follow the
// connections as they open and close, beside the process families every instance exposes.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type ServedInstance, serveProcess } from "../../support/serve-process";
import { openEventStream } from "./support/event-stream";
import { openProbe } from "./support/probe";

const TOKEN = "metrics-token-for-the-ws-gauges";

let served: ServedInstance;
beforeAll(async () => {
  served = await serveProcess({
    database: { url: "sqlite:./data/tessera.db" },
    log: { level: "warn" },
    metrics: { token: TOKEN },
    plugins: { websocket: { enabled: true, connectionAttemptsPerMinutePerIp: 100_000 } },
  });
});
afterAll(() => served.stop());

const scrape = async () => {
  const response = await fetch(`${served.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(response.status).toBe(200);
  return response.text();
};

const sampleOf = (text: string, series: string) => {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

/** Scrapes until `series` reads `expected`, since a close reaches the server a moment after the client's call. */
const until = async (series: string, expected: number) => {
  let text = "";
  for (let i = 0; i < 100; i++) {
    text = await scrape();
    if (sampleOf(text, series) === expected) return text;
    await Bun.sleep(20);
  }
  throw new Error(`${series} never read ${expected}; last: ${sampleOf(text, series)}`);
};

describe("/metrics with the websocket plugin", () => {
  test("counts open WebSockets and event streams, and drops them when they close", async () => {
    const user = await served.cli("users", "create", "--email", "gauges@example.com");
    expect(user.code).toBe(0);
    const session = await served.cli("sessions", "create", "--email", "gauges@example.com", "--ttl", "1h");
    const token = session.stdout.trim();
    const created = await fetch(`${served.url}/workspaces`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: "gauges" }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    const wsUrl = `${served.url.replace(/^http/, "ws")}/ws`;
    const sockets = [
      await openProbe(wsUrl, { headers: { authorization: `Bearer ${token}` } }),
      await openProbe(wsUrl, { headers: { authorization: `Bearer ${token}` } }),
    ];
    for (const socket of sockets) await socket.next("ready");
    const stream = await openEventStream(`${served.url}/workspaces/${id}/events`, { authorization: `Bearer ${token}` });
    expect(stream.response.status).toBe(200);

    const open = await until("tessera_sse_streams", 1);
    expect(sampleOf(open, "tessera_ws_connections")).toBe(2);
    expect(sampleOf(open, "process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(sampleOf(open, "process_open_fds")).toBeGreaterThanOrEqual(3);
    expect(open).toMatch(/^tessera_build_info\{version="[^"]+",commit="[^"]+"\} 1$/m);
    expect(sampleOf(open, 'tessera_event_loop_delay_seconds{quantile="0.99"}')).toBeGreaterThanOrEqual(0);

    for (const socket of sockets) socket.close();
    stream.close();
    await until("tessera_ws_connections", 0);
    await until("tessera_sse_streams", 0);
  });
});
