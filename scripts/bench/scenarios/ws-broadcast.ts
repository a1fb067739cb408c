// Broadcast throughput: rooms of 100 subscribers, 100-byte events published in bursts through each
// contender's trigger (Tessera: its event stream, as a job update would), counted as they arrive. Two
// figures: deliveries per second of the run, which the load client (sharing the CPUs) may bound, and
// deliveries per second of the server's own CPU time, read from /proc, which it cannot.
import { cpuMicros } from "../lib/proc";
import type { Scenario } from "../lib/scenario";
import { CONTENDER_KINDS, makeWsFixture } from "../lib/ws-fixture";

const ROOMS = 10;
const ROOM_SIZE = 100;
const BATCH = 20;
const LABEL = `${ROOMS} rooms × ${ROOM_SIZE} subscribers, 100-byte events, ${BATCH} per room a round`;

const scenario = (perServerCpuSecond: boolean): Scenario => ({
  name: perServerCpuSecond ? "ws-broadcast-cpu" : "ws-broadcast",
  title: perServerCpuSecond ? `Broadcast deliveries per second of server CPU (${LABEL})` : `Broadcast deliveries (${LABEL})`,
  unit: perServerCpuSecond ? "deliveries per server CPU-second" : "deliveries/s",
  higherIsBetter: true,
  async prepare() {
    const fixture = await makeWsFixture(ROOMS);
    try {
      const servers = [];
      for (const kind of CONTENDER_KINDS) servers.push(await fixture.start(kind));
      const flags = [
        "--mode",
        "broadcast",
        "--connections",
        String(ROOMS * ROOM_SIZE),
        "--workspaces",
        fixture.workspaces.join(","),
      ];
      return {
        contenders: servers.map((server) => ({
          name: server.kind,
          async measure(seconds: number) {
            const load = [...flags, "--seconds", String(seconds), "--batch", String(BATCH), "--bytes", "100"];
            // The connects and subscribes before the broadcast cost CPU too, but a few thousandths of a second's worth.
            const cpuBefore = cpuMicros(server.pid);
            const result = await fixture.load(server, load);
            const deliveries = result.deliveries ?? 0;
            return perServerCpuSecond
              ? (deliveries * 1e6) / (cpuMicros(server.pid) - cpuBefore)
              : (result.deliveriesPerSecond ?? 0);
          },
        })),
        cleanup: () => fixture.cleanup(),
      };
    } catch (error) {
      await fixture.cleanup();
      throw error;
    }
  },
});

export const wsBroadcast = scenario(false);
export const wsBroadcastCpu = scenario(true);
