// 10,000 authenticated WebSockets on one server, held for the run's duration (60 s for the target)
// while 100 events a second go to their rooms of 100 in turn: the p99 of publish→deliver over every
// delivery. A connection the server drops fails the sample.
import type { Scenario } from "../lib/scenario";
import { CONTENDER_KINDS, makeWsFixture } from "../lib/ws-fixture";

const CONNECTIONS = 10_000;
const ROOM_SIZE = 100;

export const ws10kHold: Scenario = {
  name: "ws-10k-hold",
  title: `${CONNECTIONS.toLocaleString("en-US")} WebSockets held, 100 events/s to rooms of ${ROOM_SIZE}: p99 publish→deliver`,
  unit: "ms",
  higherIsBetter: false,
  async prepare() {
    const fixture = await makeWsFixture(CONNECTIONS / ROOM_SIZE);
    const flags = ["--mode", "hold", "--connections", String(CONNECTIONS), "--workspaces", fixture.workspaces.join(",")];
    return {
      contenders: CONTENDER_KINDS.map((kind) => ({
        name: kind,
        async measure(seconds: number) {
          // A fresh server each sample, so every sample holds exactly 10,000 connections.
          const server = await fixture.start(kind);
          try {
            const result = await fixture.load(server, [
              ...flags,
              "--seconds",
              String(seconds),
              "--rate",
              "100",
              "--sources",
              "16",
            ]);
            return result.p99Ms ?? 0;
          } finally {
            await server.stop();
          }
        },
      })),
      cleanup: () => fixture.cleanup(),
    };
  },
};
