// Authenticated WebSocket connects: each is an upgrade with a session token looked up in SQLite, done
// when the server says the connection is authenticated (Tessera's `ready`, Socket.IO's CONNECT after
// its auth middleware). Two figures: connects per second of the run, which on a small machine the load
// client (sharing the CPUs) may bound, and connects per second of the server's own CPU time, read from
// /proc, which it cannot.
import { cpuMicros } from "../lib/proc";
import type { Scenario } from "../lib/scenario";
import { CONTENDER_KINDS, makeWsFixture, type WsFixture, type WsServer } from "../lib/ws-fixture";

const CONNECTIONS = 5000;
const LABEL = `${CONNECTIONS.toLocaleString("en-US")} a sample, 64 in flight, 8 source addresses`;

/** One sample: a fixed number of connects, whatever the duration (the rate is what varies). */
const connect = async (fixture: WsFixture, server: WsServer, perServerCpuSecond: boolean) => {
  const cpuBefore = cpuMicros(server.pid);
  const result = await fixture.load(server, ["--mode", "connect", "--connections", String(CONNECTIONS)]);
  return perServerCpuSecond ? (CONNECTIONS * 1e6) / (cpuMicros(server.pid) - cpuBefore) : (result.connectsPerSecond ?? 0);
};

const scenario = (perServerCpuSecond: boolean): Scenario => ({
  name: perServerCpuSecond ? "ws-connects-cpu" : "ws-connects",
  title: perServerCpuSecond
    ? `Authenticated WebSocket connects per second of server CPU (${LABEL})`
    : `Authenticated WebSocket connects (${LABEL})`,
  unit: perServerCpuSecond ? "connects per server CPU-second" : "connects/s",
  higherIsBetter: true,
  async prepare() {
    const fixture = await makeWsFixture(1);
    try {
      const servers = [];
      for (const kind of CONTENDER_KINDS) servers.push(await fixture.start(kind));
      return {
        contenders: servers.map((server) => ({ name: server.kind, measure: () => connect(fixture, server, perServerCpuSecond) })),
        cleanup: () => fixture.cleanup(),
      };
    } catch (error) {
      await fixture.cleanup();
      throw error;
    }
  },
});

export const wsConnects = scenario(false);
export const wsConnectsCpu = scenario(true);
