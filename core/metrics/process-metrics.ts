// Process and runtime metrics: memory, CPU, file descriptors, event-loop delay and what was built.
// Everything is read when /metrics is scraped; the only thing running in between is the event-loop
// delay monitor, a native timer off the request path.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { Registry } from "./registry";

/** How often the delay monitor wakes; a delay shorter than this is not seen. */
const DELAY_RESOLUTION_MS = 10;
const DELAY_QUANTILES = [0.5, 0.9, 0.99, 1] as const;
const FD_DIR = "/proc/self/fd";

export interface BuildLabels {
  version: string;
  commit?: string;
}

/** Registers the families on `registry`; the returned function stops the delay monitor. */
export const processMetrics = (registry: Registry, build?: BuildLabels): (() => void) => {
  registry.gauge({
    name: "process_resident_memory_bytes",
    help: "Resident memory of the process.",
    collect: (gauge) => gauge.set(process.memoryUsage.rss()),
  });
  // Used and total come from one reading per scrape (collected in the order defined, used first). Under
  // Bun, "used" counts memory the heap's objects own outside it, so it may exceed "total".
  let heap = process.memoryUsage();
  registry.gauge({
    name: "tessera_heap_used_bytes",
    help: "JavaScript heap in use.",
    collect: (gauge) => {
      heap = process.memoryUsage();
      gauge.set(heap.heapUsed);
    },
  });
  registry.gauge({
    name: "tessera_heap_total_bytes",
    help: "JavaScript heap reserved, used or not (under Bun, heap used may exceed it).",
    collect: (gauge) => gauge.set(heap.heapTotal),
  });
  registry.counter({
    name: "process_cpu_seconds_total",
    help: "CPU time spent by the process, user and system.",
    collect: (counter) => {
      const { user, system } = process.cpuUsage();
      const seconds = (user + system) / 1e6;
      const child = counter.labels();
      if (seconds > child.value) child.inc(seconds - child.value);
    },
  });
  const startTime = Math.round(Date.now() / 1000 - process.uptime());
  registry.gauge({ name: "process_start_time_seconds", help: "When the process started, in Unix time." }).set(startTime);
  // Without /proc (not Linux) the fd gauges are left out rather than report zero.
  if (existsSync(FD_DIR)) {
    registry.gauge({
      name: "process_open_fds",
      help: "Open file descriptors: sockets, files, pipes.",
      // The listing opens the directory itself, which is not the process's own.
      collect: (gauge) => gauge.set(readdirSync(FD_DIR).length - 1),
    });
    const limit = maxFds();
    if (limit !== undefined) registry.gauge({ name: "process_max_fds", help: "The limit on open file descriptors." }).set(limit);
  }
  if (build) {
    registry
      .gauge({ name: "tessera_build_info", help: "Always 1; the labels name the build.", labelNames: ["version", "commit"] })
      .labels(build.version, build.commit ?? "unknown")
      .set(1);
  }
  return eventLoopDelay(registry);
};

const eventLoopDelay = (registry: Registry): (() => void) => {
  const monitor = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS });
  monitor.enable();
  registry.gauge({
    name: "tessera_event_loop_delay_seconds",
    help: "How late the event loop ran a timer since the previous scrape, by quantile (1 is the maximum).",
    labelNames: ["quantile"],
    collect: (gauge) => {
      // Two scrapes closer than one sample keep the values of the first rather than show zeros.
      if (monitor.count === 0) {
        for (const quantile of DELAY_QUANTILES) gauge.labels(quantile);
        return;
      }
      for (const quantile of DELAY_QUANTILES) {
        const nanoseconds = quantile === 1 ? monitor.max : monitor.percentile(quantile * 100);
        gauge.labels(quantile).set(nanoseconds / 1e9);
      }
      monitor.reset();
    },
  });
  return () => monitor.disable();
};

const maxFds = (): number | undefined => {
  const limits = readFileSync("/proc/self/limits", "utf8");
  const soft = /^Max open files\s+(\d+)/m.exec(limits)?.[1];
  return soft === undefined ? undefined : Number(soft);
};
