import { afterAll, describe, expect, test } from "bun:test";
import { startTestRuntime, type TestRuntime } from "../../support/test-runtime";

const opened: TestRuntime[] = [];
afterAll(async () => {
  for (const t of opened) await t.close();
});

const start = async (websocket: Record<string, unknown>) => {
  const t = await startTestRuntime({ plugins: { websocket: { enabled: true, ...websocket } } });
  opened.push(t);
  return t;
};

const configError = async (websocket: Record<string, unknown>) => {
  try {
    await start(websocket);
  } catch (error) {
    return error;
  }
  throw new Error("expected the config to be refused");
};

describe("websocket config", () => {
  test("grants exactly the socket path, the ticket route and the event stream route, derived from config", async () => {
    const t = await start({ path: "/live" });
    const plugin = t.runtime.plugins.find((p) => p.name === "websocket");
    expect(plugin?.grants.routes).toEqual(["/live", "/ws/ticket", "/workspaces/:id/events"]);
    expect(plugin?.routes).toEqual([
      { method: "GET", path: "/live" },
      { method: "POST", path: "/ws/ticket" },
      { method: "GET", path: "/workspaces/:id/events" },
    ]);
  });

  test("with sse disabled, neither grants nor serves the event stream route", async () => {
    const t = await start({ sse: { enabled: false } });
    const plugin = t.runtime.plugins.find((p) => p.name === "websocket");
    expect(plugin?.grants.routes).toEqual(["/ws", "/ws/ticket"]);
    expect(plugin?.routes.map((route) => route.path)).toEqual(["/ws", "/ws/ticket"]);
  });

  test("hands Bun the frame limit, heartbeat and backpressure bound for the whole server", async () => {
    const t = await start({ maxPayloadBytes: 2048, heartbeatIntervalMs: 15_000, maxBufferedBytes: 100_000 });
    expect(t.runtime.app.config.websocket).toMatchObject({
      maxPayloadLength: 2048,
      idleTimeout: 20,
      sendPings: true,
      backpressureLimit: 100_000,
      closeOnBackpressureLimit: false,
    });
  });

  test("defaults follow the contract", async () => {
    const t = await start({});
    expect(t.runtime.plugins.find((p) => p.name === "websocket")?.config).toMatchObject({
      path: "/ws",
      authTimeoutMs: 5000,
      maxPayloadBytes: 65_536,
      ticketTtlSeconds: 30,
      allowQueryToken: false,
      sse: { enabled: true, heartbeatMs: 15_000, maxStreamsPerUser: 8, retryMs: 3000 },
    });
    expect(t.runtime.app.config.websocket).toMatchObject({ maxPayloadLength: 65_536, idleTimeout: 44 });
  });

  test("refuses tickets that live longer than 30 s, short secrets and unknown keys", async () => {
    expect(await configError({ ticketTtlSeconds: 31 })).toMatchObject({ code: "ERR_CONFIG_INVALID" });
    expect(await configError({ ticketSecret: "too-short" })).toMatchObject({ code: "ERR_CONFIG_INVALID" });
    expect(await configError({ authTimeout: 100 })).toMatchObject({ code: "ERR_CONFIG_INVALID" });
  });
});
