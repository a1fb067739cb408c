// Summaries of repeated measurements: medians resist the noise of a shared machine.

export interface Summary {
  median: number;
  min: number;
  max: number;
  samples: number[];
}

export const summarize = (samples: number[]): Summary => {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  return { median, min: sorted[0] ?? 0, max: sorted.at(-1) ?? 0, samples };
};

/**
 * The median of round-by-round ratios: each round measures every contender back to back, so a ratio within
 * a round cancels what the host was doing at the time, and the median drops the rounds a neighbour disturbed.
 */
export const pairedRatio = (samples: readonly number[], reference: readonly number[]): number => {
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(samples.length, reference.length); i++) {
    const base = reference[i] ?? 0;
    if (base > 0) ratios.push((samples[i] ?? 0) / base);
  }
  return ratios.length === 0 ? Number.NaN : summarize(ratios).median;
};

export const percentile = (values: number[], p: number): number => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};

/** A figure as the tables and the chart print it: thousands separated, two decimals below 100. */
export const formatFigure = (value: number): string =>
  value >= 100 ? Math.round(value).toLocaleString("en-US") : value.toFixed(2);
