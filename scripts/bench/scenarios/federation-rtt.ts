// The signed command round trip on loopback, as a hub sees it: sign agent.status, post it to the spoke's
// inbox, which verifies it, records its jti, reads the agent and signs a response, which the hub
// verifies and checks is bound to the command. Against a plain GET /healthz to the same process.

import { sendMessage } from "../../../plugins/federation/wire/send";
import type { Contender, Scenario } from "../lib/scenario";
import { percentile } from "../lib/stats";
import { startBenchSpoke } from "./federation-spoke";

/** The median latency of calls made one after another for `seconds`. */
const p50 = async (seconds: number, call: () => Promise<void>): Promise<number> => {
  const times: number[] = [];
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    const started = performance.now();
    await call();
    times.push(performance.now() - started);
  }
  return percentile(times, 50);
};

export const federationRtt: Scenario = {
  name: "federation-rtt",
  title: "Federation: signed command round trip on loopback (p50)",
  unit: "ms",
  higherIsBetter: false,
  async prepare() {
    const bench = await startBenchSpoke();
    const signed: Contender = {
      name: "signed agent.status",
      measure: (seconds) =>
        p50(seconds, async () => {
          const args = { agentId: bench.agentId };
          const result = await sendMessage(bench.hub, bench.spoke, "command", {
            name: "agent.status",
            commandId: crypto.randomUUID(),
            args,
          });
          if (typeof result !== "object" || result === null) throw new Error("agent.status returned no agent");
        }),
    };
    const plain: Contender = {
      name: "unsigned GET /healthz",
      measure: (seconds) =>
        p50(seconds, async () => {
          const response = await fetch(`${bench.server.url}/healthz`);
          if (response.status !== 200) throw new Error(`/healthz answered ${response.status}`);
          await response.arrayBuffer();
        }),
    };
    return { contenders: [signed, plain], cleanup: bench.cleanup };
  },
};
