// `npm run bench [-- --scenarios a,b --rounds N --duration S]`: prepares each scenario's contenders,
// measures them alternately (A B A B …) after a warm-up, and prints medians, ranges and ratios.
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import type { Scenario } from "./lib/scenario";
import { summarize } from "./lib/stats";
import { apiKeyHealth } from "./scenarios/api-key-health";
import { coldStart } from "./scenarios/cold-start";
import { sessionMe } from "./scenarios/session-me";

const scenarios: Scenario[] = [sessionMe, apiKeyHealth, coldStart];

const { values } = parseArgs({
  options: {
    scenarios: { type: "string" },
    rounds: { type: "string", default: "5" },
    duration: { type: "string", default: "5" },
  },
});
const picked = values.scenarios ? values.scenarios.split(",") : scenarios.map((scenario) => scenario.name);
const unknown = picked.filter((name) => !scenarios.some((scenario) => scenario.name === name));
if (unknown.length)
  throw new Error(`unknown scenario(s) ${unknown.join(", ")}; known: ${scenarios.map((s) => s.name).join(", ")}`);
const rounds = Number(values.rounds);
const duration = Number(values.duration);

const format = (value: number) => (value >= 100 ? Math.round(value).toLocaleString("en-US") : value.toFixed(2));

console.log(
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}; Bun ${Bun.version}; ${rounds} rounds × ${duration}s, alternating`,
);
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
    console.log(`\n### ${scenario.title} (${scenario.unit}, ${scenario.higherIsBetter ? "higher" : "lower"} is better)\n`);
    console.log(`| contender | median | min–max | ratio to ${summaries[0]?.name} |`);
    console.log("| --- | ---: | ---: | ---: |");
    for (const summary of summaries) {
      console.log(
        `| ${summary.name} | ${format(summary.median)} | ${format(summary.min)}–${format(summary.max)} | ${(summary.median / reference).toFixed(2)} |`,
      );
    }
  } finally {
    await prepared.cleanup();
  }
}
