// What the soak records every interval, the table it prints at the end, and its verdict: no errors of any
// kind, and each instance's memory flat (the mean RSS of the last third of samples within a stated bound
// of the first third's).
import { formatFigure, percentile } from "../bench/lib/stats";

export interface Sample {
  /** Seconds since the load started. */
  t: number;
  rssMb: number[];
  /** File descriptors each instance holds (its sockets among them). */
  fds: number[];
  openSockets: number;
  delivered: number;
  deliveredTotal: number;
  httpRequests: number;
  httpErrorsTotal: number;
  httpP50Ms: number;
  httpP99Ms: number;
  deliverP50Ms: number;
  deliverP99Ms: number;
}

export interface Verdict {
  failures: string[];
  /** Per instance: mean RSS of the first and last third of samples, MB, and the growth between them. */
  rss: { firstThirdMb: number; lastThirdMb: number; growth: number }[];
}

const round = (value: number) => Math.round(value * 100) / 100;
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);

export const latencySummary = (values: number[]) => ({
  p50: round(percentile(values, 50)),
  p99: round(percentile(values, 99)),
});

export const judge = (
  samples: Sample[],
  errors: { http: number; closedByServer: number; undelivered: number },
  maxRssGrowth: number,
): Verdict => {
  const failures: string[] = [];
  if (errors.http > 0) failures.push(`${errors.http} HTTP errors`);
  if (errors.closedByServer > 0) failures.push(`${errors.closedByServer} sockets closed by the server`);
  if (errors.undelivered > 0) failures.push(`${errors.undelivered} events owed to sockets never arrived`);
  const third = Math.max(1, Math.floor(samples.length / 3));
  const instances = samples[0]?.rssMb.length ?? 0;
  const rss = Array.from({ length: instances }, (_, instance) => {
    const firstThirdMb = round(mean(samples.slice(0, third).map((sample) => sample.rssMb[instance] ?? 0)));
    const lastThirdMb = round(mean(samples.slice(-third).map((sample) => sample.rssMb[instance] ?? 0)));
    const growth = round(lastThirdMb / firstThirdMb - 1);
    if (growth > maxRssGrowth)
      failures.push(
        `instance ${instance + 1} RSS grew ${Math.round(growth * 100)}% (${firstThirdMb} → ${lastThirdMb} MB), over the ${Math.round(maxRssGrowth * 100)}% bound`,
      );
    return { firstThirdMb, lastThirdMb, growth };
  });
  if (samples.length < 3) failures.push(`only ${samples.length} samples: too short a run to judge memory`);
  return { failures, rss };
};

export const formatTable = (samples: Sample[]): string => {
  const header = [
    "t (s)",
    "RSS MB",
    "server fds",
    "sockets",
    "events",
    "HTTP req",
    "HTTP err",
    "HTTP p50/p99 ms",
    "deliver p50/p99 ms",
  ];
  const rows = samples.map((sample) => [
    String(sample.t),
    sample.rssMb.map((mb) => mb.toFixed(0)).join(" / "),
    sample.fds.join(" / "),
    String(sample.openSockets),
    formatFigure(sample.delivered),
    formatFigure(sample.httpRequests),
    String(sample.httpErrorsTotal),
    `${formatFigure(sample.httpP50Ms)} / ${formatFigure(sample.httpP99Ms)}`,
    `${formatFigure(sample.deliverP50Ms)} / ${formatFigure(sample.deliverP99Ms)}`,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padStart(widths[column] ?? 0)).join("  ");
  return [line(header), ...rows.map(line)].join("\n");
};
