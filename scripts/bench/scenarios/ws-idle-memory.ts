// Server memory per idle authenticated connection, each subscribed to a workspace: a fresh server per
// sample, warmed with a few connects, then (RSS with N connections held − RSS before) / N, both read
// from /proc/<pid>/status.

import { rssBytes } from "../lib/proc";
import type { Scenario } from "../lib/scenario";
import { CONTENDER_KINDS, makeWsFixture } from "../lib/ws-fixture";

const CONNECTIONS = 5000;
const ROOM_SIZE = 100;
const SETTLE_MS = 2000;

export const wsIdleMemory: Scenario = {
  name: "ws-idle-memory",
  title: `Server memory per idle authenticated, subscribed WebSocket (${CONNECTIONS.toLocaleString("en-US")} held, RSS delta / N)`,
  unit: "bytes/connection",
  higherIsBetter: false,
  async prepare() {
    const fixture = await makeWsFixture(CONNECTIONS / ROOM_SIZE);
    const workspaces = ["--workspaces", fixture.workspaces.join(",")];
    return {
      contenders: CONTENDER_KINDS.map((kind) => ({
        name: kind,
        async measure() {
          const server = await fixture.start(kind);
          try {
            // First connections pay one-off costs (code paths compiled, pools allocated) that are not per connection.
            await fixture.load(server, ["--mode", "connect", "--connections", "200"]);
            await Bun.sleep(SETTLE_MS);
            const before = rssBytes(server.pid);
            const held = await fixture.hold(server, ["--connections", String(CONNECTIONS), ...workspaces]);
            await Bun.sleep(SETTLE_MS);
            const after = rssBytes(server.pid);
            await held.release();
            return (after - before) / CONNECTIONS;
          } finally {
            await server.stop();
          }
        },
      })),
      cleanup: () => fixture.cleanup(),
    };
  },
};
