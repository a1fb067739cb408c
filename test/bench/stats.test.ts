import { describe, expect, test } from "bun:test";
import { pairedRatio, summarize } from "../../scripts/bench/lib/stats";

describe("bench statistics", () => {
  test("the median of an odd and an even number of samples", () => {
    expect(summarize([3, 1, 2]).median).toBe(2);
    expect(summarize([4, 1, 3, 2]).median).toBe(2.5);
  });

  test("a paired ratio compares each round with the same round of the reference", () => {
    // The host halves its speed in round 2: both contenders slow down, their ratio holds.
    const reference = [100, 50, 100, 100, 100];
    const contender = [90, 45, 90, 90, 90];
    expect(pairedRatio(contender, reference)).toBeCloseTo(0.9, 10);
    // A round disturbed on one side only is outvoted by the others.
    expect(pairedRatio([90, 30, 90, 90, 90], reference)).toBeCloseTo(0.9, 10);
  });

  test("one disturbed round moves the median of ratios less than the ratio of medians", () => {
    const reference = [100, 100, 60, 60, 60];
    const contender = [90, 90, 54, 54, 90];
    const ofMedians = summarize(contender).median / summarize(reference).median;
    expect(ofMedians).toBe(1.5);
    expect(pairedRatio(contender, reference)).toBeCloseTo(0.9, 10);
  });

  test("rounds without a reference figure are left out; none at all gives NaN", () => {
    expect(pairedRatio([10, 20], [0, 10])).toBe(2);
    expect(pairedRatio([], [])).toBeNaN();
  });
});
