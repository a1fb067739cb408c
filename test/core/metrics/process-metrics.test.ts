// The process and runtime families every instance exposes: read at scrape time, with values a
// Prometheus user can trust (bytes are bytes, seconds are seconds).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { processMetrics } from "../../../core/metrics/process-metrics";
import { Registry } from "../../../core/metrics/registry";
import { buildInfo } from "../../../core/runtime/build-info";
import pkg from "../../../package.json";
import { startTestRuntime, type TestRuntime } from "../../support/test-runtime";

const TOKEN = "metrics-token-for-process-tests";

/** The value of one sample line, `name{labels} value`; undefined when the line is absent. */
const sample = (text: string, series: string): number | undefined => {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

const busyWait = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // blocks the event loop on purpose, so the delay monitor has something to see
  }
};

describe("process metrics on /metrics", () => {
  let instance: TestRuntime;
  let text: string;

  beforeAll(async () => {
    instance = await startTestRuntime({ metrics: { token: TOKEN } });
    const response = await instance.request("/metrics", { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    text = await response.text();
  });
  afterAll(() => instance.close());

  test("exposes resident memory, heap used and heap total in bytes", () => {
    const rss = sample(text, "process_resident_memory_bytes");
    const used = sample(text, "tessera_heap_used_bytes");
    const total = sample(text, "tessera_heap_total_bytes");
    expect(rss).toBeGreaterThan(1024 * 1024);
    expect(used).toBeGreaterThan(0);
    // Bun's heap "used" includes what its objects own outside the heap, so it is not bounded by "total".
    expect(total).toBeGreaterThan(0);
    expect(text).toContain("# TYPE process_resident_memory_bytes gauge");
  });

  test("counts open file descriptors and names their limit", () => {
    const open = sample(text, "process_open_fds");
    const max = sample(text, "process_max_fds");
    expect(open).toBeGreaterThan(2);
    expect(open).toBeLessThanOrEqual(readdirSync("/proc/self/fd").length + 16);
    expect(max).toBeGreaterThanOrEqual(open ?? Number.POSITIVE_INFINITY);
  });

  test("exposes CPU seconds as a counter and the start time as a Unix time", () => {
    expect(text).toContain("# TYPE process_cpu_seconds_total counter");
    expect(sample(text, "process_cpu_seconds_total")).toBeGreaterThan(0);
    const start = sample(text, "process_start_time_seconds") ?? 0;
    expect(start).toBeLessThanOrEqual(Date.now() / 1000);
    expect(start).toBeGreaterThan(Date.now() / 1000 - 3600);
  });

  test("names the version and commit in tessera_build_info", () => {
    expect(sample(text, `tessera_build_info{version="${pkg.version}",commit="${buildInfo.commit ?? "unknown"}"}`)).toBe(1);
  });
});

describe("event-loop delay", () => {
  test("sees a blocked event loop between two scrapes, then forgets it", async () => {
    const registry = new Registry();
    const stop = processMetrics(registry);
    try {
      await Bun.sleep(60);
      busyWait(120);
      await Bun.sleep(60);
      const blocked = registry.render();
      expect(sample(blocked, 'tessera_event_loop_delay_seconds{quantile="1"}')).toBeGreaterThan(0.08);
      expect(sample(blocked, 'tessera_event_loop_delay_seconds{quantile="0.5"}')).toBeGreaterThan(0);
      await Bun.sleep(200);
      const calm = registry.render();
      expect(sample(calm, 'tessera_event_loop_delay_seconds{quantile="1"}')).toBeLessThan(0.08);
    } finally {
      stop();
    }
  });

  test("keeps the last values when two scrapes come closer than one sample", () => {
    const registry = new Registry();
    const stop = processMetrics(registry);
    try {
      const first = registry.render();
      const second = registry.render();
      for (const quantile of ["0.5", "0.9", "0.99", "1"]) {
        const series = `tessera_event_loop_delay_seconds{quantile="${quantile}"}`;
        expect(Number.isFinite(sample(second, series))).toBe(true);
        expect(sample(second, series)).toBe(sample(first, series) ?? Number.NaN);
      }
    } finally {
      stop();
    }
  });
});

describe("process metrics are read at scrape time", () => {
  test("rendering twice in a row reads fresh values without touching the request path", () => {
    const registry = new Registry();
    const stop = processMetrics(registry);
    try {
      const before = sample(registry.render(), "process_cpu_seconds_total") ?? 0;
      busyWait(50);
      const after = sample(registry.render(), "process_cpu_seconds_total") ?? 0;
      expect(after).toBeGreaterThan(before);
    } finally {
      stop();
    }
  });
});
