import { describe, expect, test } from "bun:test";
import { renderChart } from "../../scripts/bench/lib/chart";

const widths = (svg: string) => [...svg.matchAll(/<rect x="\d+" y="\d+" width="(\d+)"/g)].map((match) => Number(match[1]));

describe("renderChart", () => {
  test("draws one bar per contender, the best one full length, labelled with median and ratio", () => {
    const svg = renderChart(
      [
        {
          title: "GET /me",
          unit: "req/s",
          higherIsBetter: true,
          rows: [
            { name: "tessera", median: 30_000 },
            { name: "bare-elysia", median: 40_000 },
            { name: "nestjs-express", median: 8_000 },
          ],
        },
      ],
      "caption",
    );
    expect(svg.startsWith("<svg")).toBe(true);
    expect(widths(svg)).toEqual([315, 420, 84]);
    expect(svg).toContain("30,000 (1.00×)");
    expect(svg).toContain("40,000 (1.33×)");
  });

  test("for lower-is-better units the smallest value gets the longest bar", () => {
    const svg = renderChart(
      [
        {
          title: "cold start",
          unit: "ms",
          higherIsBetter: false,
          rows: [
            { name: "tessera", median: 200 },
            { name: "bare", median: 50 },
          ],
        },
      ],
      "",
    );
    expect(widths(svg)).toEqual([105, 420]);
  });

  test("escapes names so a title cannot break the markup", () => {
    const svg = renderChart([{ title: "a <b> & c", unit: "ms", higherIsBetter: false, rows: [{ name: "x", median: 1 }] }], "");
    expect(svg).toContain("a &lt;b&gt; &amp; c");
    expect(svg).not.toContain("<b>");
  });
});
