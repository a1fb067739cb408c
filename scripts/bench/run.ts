// `npm run bench [-- --scenarios a,b --rounds N --duration S --chart FILE.svg]`: prepares each scenario's
// contenders, measures them alternately (A B A B …) after a warm-up, prints medians, ranges, ratios of
// medians and round-by-round (paired) ratios as markdown tables, and draws them as an SVG chart when asked.
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { type ChartScenario, renderChart } from "./lib/chart";
import type { Scenario } from "./lib/scenario";
import { formatFigure as format, pairedRatio, summarize } from "./lib/stats";
import { apiKeyHealth } from "./scenarios/api-key-health";
import { coldStart } from "./scenarios/cold-start";
import { coldStartBinary } from "./scenarios/cold-start-binary";
import { federationInbox } from "./scenarios/federation-inbox";
import { federationRtt } from "./scenarios/federation-rtt";
import { isolatedRoute } from "./scenarios/isolated-route";
import { nestedBodies } from "./scenarios/nested-bodies";
import { oidcBearerMe } from "./scenarios/oidc-bearer-me";
import { sessionCookieMe, sessionMe } from "./scenarios/session-me";
import { ws10kHold } from "./scenarios/ws-10k-hold";
import { wsBroadcast, wsBroadcastCpu } from "./scenarios/ws-broadcast";
import { wsConnects, wsConnectsCpu } from "./scenarios/ws-connects";
import { wsIdleMemory } from "./scenarios/ws-idle-memory";
import { wsTwoInstances, wsTwoInstancesP99 } from "./scenarios/ws-two-instances";

const scenarios: Scenario[] = [
  sessionMe,
  sessionCookieMe,
  oidcBearerMe,
  apiKeyHealth,
  coldStart,
  coldStartBinary,
  wsConnects,
  wsConnectsCpu,
  wsBroadcast,
  wsBroadcastCpu,
  wsIdleMemory,
  ws10kHold,
  wsTwoInstances,
  wsTwoInstancesP99,
  federationRtt,
  federationInbox,
  nestedBodies,
  isolatedRoute,
];

const { values } = parseArgs({
  options: {
    scenarios: { type: "string" },
    rounds: { type: "string", default: "5" },
    duration: { type: "string", default: "5" },
    chart: { type: "string" },
  },
});
const picked = values.scenarios ? values.scenarios.split(",") : scenarios.map((scenario) => scenario.name);
const unknown = picked.filter((name) => !scenarios.some((scenario) => scenario.name === name));
if (unknown.length)
  throw new Error(`unknown scenario(s) ${unknown.join(", ")}; known: ${scenarios.map((s) => s.name).join(", ")}`);
const rounds = Number(values.rounds);
const duration = Number(values.duration);

async function nodeVersion(): Promise<string> {
  const node = Bun.which("node");
  if (!node) return "absent";
  return (await new Response(Bun.spawn([node, "--version"], { stdout: "pipe" }).stdout).text()).trim();
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}; Bun ${Bun.version}; Node ${await nodeVersion()}; ${rounds} rounds × ${duration}s, alternating`;
console.log(`Machine: ${machine}`);
const charted: ChartScenario[] = [];
for (const scenario of scenarios.filter((candidate) => picked.includes(candidate.name))) {
  const prepared = await scenario.prepare();
  try {
    const samples = new Map<string, number[]>(prepared.contenders.map((contender) => [contender.name, []]));
    for (const contender of prepared.contenders) await contender.measure(Math.min(2, duration));
    for (let round = 0; round < rounds; round++) {
      // Alternate the order each round so neither side always runs on a warmer machine.
      const order = round % 2 ? [...prepared.contenders].reverse() : prepared.contenders;
      for (const contender of order) samples.get(contender.name)?.push(await contender.measure(duration));
    }
    const summaries = prepared.contenders.map((contender) => ({
      name: contender.name,
      ...summarize(samples.get(contender.name) ?? []),
    }));
    const reference = summaries[0]?.median ?? 1;
    charted.push({ ...scenario, rows: summaries });
    console.log(`\n### ${scenario.title} (${scenario.unit}, ${scenario.higherIsBetter ? "higher" : "lower"} is better)\n`);
    console.log(`| contender | median | min–max | ratio to ${summaries[0]?.name} | paired ratio |`);
    console.log("| --- | ---: | ---: | ---: | ---: |");
    const referenceSamples = summaries[0]?.samples ?? [];
    for (const summary of summaries) {
      const paired = pairedRatio(summary.samples, referenceSamples).toFixed(2);
      console.log(
        `| ${summary.name} | ${format(summary.median)} | ${format(summary.min)}–${format(summary.max)} | ${(summary.median / reference).toFixed(2)} | ${paired} |`,
      );
    }
  } finally {
    await prepared.cleanup();
  }
}
if (values.chart) {
  writeFileSync(values.chart, renderChart(charted, `Medians; ratios to Tessera. ${machine}`));
  console.log(`\nChart: ${values.chart}`);
}
