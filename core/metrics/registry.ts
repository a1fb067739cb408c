// A tiny Prometheus registry: metrics are defined once, updated cheaply, and rendered in the text
// exposition format (version 0.0.4) only when /metrics is scraped.
import { TesseraError } from "../errors/tessera-error";
import { Counter, Gauge, Histogram } from "./metrics";

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

interface MetricOptions {
  name: string;
  help: string;
  labelNames?: readonly string[];
}

export interface RegistryOptions {
  /** Called when a metric's `collect` throws; that metric is left out of the scrape. Without it, render throws. */
  onCollectError?: (name: string, error: unknown) => void;
}

type AnyMetric = Counter | Gauge | Histogram;

export class Registry {
  private readonly metrics = new Map<string, AnyMetric>();

  constructor(private readonly options: RegistryOptions = {}) {}

  counter(options: MetricOptions & { collect?: (counter: Counter) => void }): Counter {
    const existing = this.existing(options, "counter");
    if (existing instanceof Counter) return existing;
    return this.add(new Counter(options.name, options.help, this.labelNames(options), options.collect));
  }

  gauge(options: MetricOptions & { collect?: (gauge: Gauge) => void }): Gauge {
    const existing = this.existing(options, "gauge");
    if (existing instanceof Gauge) return existing;
    return this.add(new Gauge(options.name, options.help, this.labelNames(options), options.collect));
  }

  histogram(options: MetricOptions & { buckets?: readonly number[] }): Histogram {
    const existing = this.existing(options, "histogram");
    if (existing instanceof Histogram) return existing;
    const labelNames = this.labelNames(options);
    if (labelNames.includes("le")) throw invalid(options.name, 'a histogram cannot use the label "le"');
    return this.add(new Histogram(options.name, options.help, labelNames, checkBuckets(options.name, options.buckets)));
  }

  render(): string {
    const lines: string[] = [];
    for (const metric of this.metrics.values()) {
      if (!(metric instanceof Histogram) && metric.collect && !this.collect(metric)) continue;
      lines.push(`# HELP ${metric.name} ${escapeHelp(metric.help)}`, `# TYPE ${metric.name} ${metric.type}`);
      if (metric instanceof Histogram) renderHistogram(metric, lines);
      else
        for (const { labels, child } of metric.children)
          lines.push(`${metric.name}${braces(labels)} ${formatValue(child.value)}`);
    }
    return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
  }

  private collect(metric: Counter | Gauge): boolean {
    try {
      if (metric instanceof Gauge) metric.collect?.(metric);
      else metric.collect?.(metric);
      return true;
    } catch (error) {
      if (!this.options.onCollectError) throw error;
      this.options.onCollectError(metric.name, error);
      return false;
    }
  }

  // Defining the same metric twice (a plugin restarted in-process) returns the first; a clash throws.
  private existing(options: MetricOptions, type: AnyMetric["type"]): AnyMetric | undefined {
    if (!METRIC_NAME.test(options.name)) throw invalid(options.name, "not a valid metric name");
    const found = this.metrics.get(options.name);
    if (!found) return undefined;
    const labels = options.labelNames ?? [];
    if (found.type !== type || found.labelNames.join(",") !== labels.join(",")) {
      throw invalid(options.name, `already registered as a ${found.type} with labels (${found.labelNames.join(", ")})`);
    }
    return found;
  }

  private labelNames(options: MetricOptions): readonly string[] {
    const names = options.labelNames ?? [];
    for (const name of names) {
      if (!LABEL_NAME.test(name) || name.startsWith("__")) throw invalid(options.name, `invalid label name "${name}"`);
    }
    if (new Set(names).size !== names.length) throw invalid(options.name, "duplicate label names");
    return names;
  }

  private add<M extends AnyMetric>(metric: M): M {
    this.metrics.set(metric.name, metric);
    return metric;
  }
}

const invalid = (name: string, why: string) => new TesseraError("ERR_METRIC_INVALID", `Metric ${name}: ${why}`, { path: name });

const checkBuckets = (name: string, buckets: readonly number[] = DEFAULT_BUCKETS): number[] => {
  // +Inf is implicit (it is the count); listing it would render it twice.
  const finite = buckets.filter((bound) => bound !== Number.POSITIVE_INFINITY);
  finite.forEach((bound, i) => {
    const previous = finite[i - 1];
    if (!Number.isFinite(bound) || (previous !== undefined && bound <= previous)) {
      throw invalid(name, "buckets must be finite and strictly increasing");
    }
  });
  return finite;
};

const renderHistogram = (metric: Histogram, lines: string[]) => {
  for (const { labels, child } of metric.children) {
    const prefix = labels === "" ? "" : `${labels},`;
    let cumulative = 0;
    metric.buckets.forEach((bound, i) => {
      cumulative += child.counts[i] ?? 0;
      lines.push(`${metric.name}_bucket{${prefix}le="${formatValue(bound)}"} ${formatValue(cumulative)}`);
    });
    lines.push(`${metric.name}_bucket{${prefix}le="+Inf"} ${formatValue(child.count)}`);
    lines.push(`${metric.name}_sum${braces(labels)} ${formatValue(child.sum)}`);
    lines.push(`${metric.name}_count${braces(labels)} ${formatValue(child.count)}`);
  }
};

const braces = (labels: string) => (labels === "" ? "" : `{${labels}}`);

const escapeHelp = (help: string) => help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");

const formatValue = (value: number): string => {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
};
