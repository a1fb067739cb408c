// An SVG bar chart of a run: one panel per scenario, one bar per contender, length = median relative
// to the best contender, labelled with the median and the ratio to the first (Tessera). No library: the
// chart is a few dozen rectangles, and the docs must render it offline.
import { formatFigure } from "./stats";

export interface ChartScenario {
  title: string;
  unit: string;
  higherIsBetter: boolean;
  rows: { name: string; median: number }[];
}

const WIDTH = 760;
const LABEL = 150;
const BAR_MAX = 420;
const ROW = 22;
const HEADER = 28;
const GAP = 18;

const escapeXml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export const renderChart = (scenarios: readonly ChartScenario[], caption: string): string => {
  const parts: string[] = [];
  let y = 36;
  for (const scenario of scenarios) {
    const best = scenario.higherIsBetter
      ? Math.max(...scenario.rows.map((row) => row.median))
      : Math.min(...scenario.rows.map((row) => row.median));
    const reference = scenario.rows[0]?.median ?? 1;
    const better = scenario.higherIsBetter ? "higher" : "lower";
    parts.push(
      `<text x="8" y="${y + 16}" font-weight="bold">${escapeXml(scenario.title)} (${escapeXml(scenario.unit)}, ${better} is better)</text>`,
    );
    y += HEADER;
    for (const [index, row] of scenario.rows.entries()) {
      // Bars show how close each contender comes to the best one, whichever direction is better.
      const share = scenario.higherIsBetter ? row.median / best : best / row.median;
      const length = Math.max(1, Math.round(share * BAR_MAX));
      const fill = index === 0 ? "#1f6feb" : "#8b949e";
      parts.push(
        `<text x="8" y="${y + 15}">${escapeXml(row.name)}</text>`,
        `<rect x="${LABEL}" y="${y + 3}" width="${length}" height="${ROW - 6}" fill="${fill}"/>`,
        `<text x="${LABEL + length + 6}" y="${y + 15}">${formatFigure(row.median)} (${(row.median / reference).toFixed(2)}×)</text>`,
      );
      y += ROW;
    }
    y += GAP;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" viewBox="0 0 ${WIDTH} ${y}" font-family="sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="8" y="20" fill="#57606a">${escapeXml(caption)}</text>`,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
};
