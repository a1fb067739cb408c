// ctx.metrics across the boundary: the core keeps the registry that /metrics renders; the child defines
// each metric there once (`metrics.define`) and sends every update after it (`metrics.update`). It is a
// Registry so a plugin can hand it to code typed for one; locally it only checks names, labels and clashes.
import { TesseraError } from "../../errors/tessera-error";
import { Counter, CounterChild, Gauge, GaugeChild, Histogram, HistogramChild, type LabelValue } from "../../metrics/metrics";
import { Registry } from "../../metrics/registry";
import type { Channel } from "../wire/channel";
import { type MetricDefinition, type MetricUpdate, metricPrefix } from "../wire/protocol";
import { unsupported } from "./unsupported";

type Labels = Record<string, string>;
type Report = (op: MetricUpdate["op"], value: number, labels?: Labels) => void;

/**
 * The reporting child for each label tuple: the metric's own family still checks the values and keeps one
 * child per tuple, which keys the reporting one, so a child a plugin keeps is the one it was given.
 */
const reportingChildren = <B extends object, R>(names: readonly string[], make: (labels: Labels) => R) => {
  const made = new WeakMap<B, R>();
  return (base: B, values: readonly LabelValue[]): R => {
    let child = made.get(base);
    if (child === undefined) {
      child = make(Object.fromEntries(names.map((name, i) => [name, String(values[i])])));
      made.set(base, child);
    }
    return child;
  };
};

class ReportingCounterChild extends CounterChild {
  constructor(private readonly report: (amount: number) => void) {
    super();
  }
  override inc(amount = 1): void {
    super.inc(amount);
    this.report(amount);
  }
}

class ReportingGaugeChild extends GaugeChild {
  constructor(private readonly report: (op: "set" | "inc", value: number) => void) {
    super();
  }
  override set(value: number): void {
    super.set(value);
    this.report("set", value);
  }
  override inc(amount = 1): void {
    super.inc(amount);
    this.report("inc", amount);
  }
  override dec(amount = 1): void {
    super.dec(amount);
    this.report("inc", -amount);
  }
}

class ReportingHistogramChild extends HistogramChild {
  constructor(
    bounds: readonly number[],
    private readonly report: (value: number) => void,
  ) {
    super(bounds);
  }
  override observe(value: number): void {
    super.observe(value);
    this.report(value);
  }
}

class WireCounter extends Counter {
  private readonly child: (base: CounterChild, values: readonly LabelValue[]) => ReportingCounterChild;

  constructor(
    base: Counter,
    private readonly report: Report,
  ) {
    super(base.name, base.help, base.labelNames);
    this.child = reportingChildren(
      base.labelNames,
      (labels) => new ReportingCounterChild((amount) => report("inc", amount, labels)),
    );
  }
  override inc(amount = 1): void {
    super.inc(amount);
    this.report("inc", amount);
  }
  override labels(...values: LabelValue[]): CounterChild {
    return this.child(super.labels(...values), values);
  }
}

class WireGauge extends Gauge {
  private readonly child: (base: GaugeChild, values: readonly LabelValue[]) => ReportingGaugeChild;

  constructor(
    base: Gauge,
    private readonly report: Report,
  ) {
    super(base.name, base.help, base.labelNames);
    this.child = reportingChildren(
      base.labelNames,
      (labels) => new ReportingGaugeChild((op, value) => report(op, value, labels)),
    );
  }
  override set(value: number): void {
    super.set(value);
    this.report("set", value);
  }
  override inc(amount = 1): void {
    super.inc(amount);
    this.report("inc", amount);
  }
  override dec(amount = 1): void {
    super.dec(amount);
    this.report("inc", -amount);
  }
  override labels(...values: LabelValue[]): GaugeChild {
    return this.child(super.labels(...values), values);
  }
}

class WireHistogram extends Histogram {
  private readonly child: (base: HistogramChild, values: readonly LabelValue[]) => ReportingHistogramChild;

  constructor(
    base: Histogram,
    private readonly report: Report,
  ) {
    super(base.name, base.help, base.labelNames, base.buckets);
    this.child = reportingChildren(
      base.labelNames,
      (labels) => new ReportingHistogramChild(base.buckets, (value) => report("observe", value, labels)),
    );
  }
  override observe(value: number): void {
    super.observe(value);
    this.report("observe", value);
  }
  override labels(...values: LabelValue[]): HistogramChild {
    return this.child(super.labels(...values), values);
  }
}

type Wired = WireCounter | WireGauge | WireHistogram;

export class WireRegistry extends Registry {
  private readonly wired = new Map<string, Wired>();

  constructor(
    private readonly channel: Channel,
    private readonly plugin: string,
    private readonly log: (error: unknown) => void,
  ) {
    super();
  }

  override counter(options: Parameters<Registry["counter"]>[0]): Counter {
    if (options.collect) throw collectRefused();
    const base = super.counter(this.named(options));
    return this.wire(base.name, (report) => new WireCounter(base, report), { kind: "counter", ...definition(base) });
  }

  override gauge(options: Parameters<Registry["gauge"]>[0]): Gauge {
    if (options.collect) throw collectRefused();
    const base = super.gauge(this.named(options));
    return this.wire(base.name, (report) => new WireGauge(base, report), { kind: "gauge", ...definition(base) });
  }

  override histogram(options: Parameters<Registry["histogram"]>[0]): Histogram {
    const base = super.histogram(this.named(options));
    return this.wire(base.name, (report) => new WireHistogram(base, report), {
      kind: "histogram",
      ...definition(base),
      buckets: [...base.buckets],
    });
  }

  private named<O extends { name: string }>(options: O): O {
    const prefix = metricPrefix(this.plugin);
    if (!options.name.startsWith(prefix)) {
      throw new TesseraError("ERR_METRIC_INVALID", `Metric ${options.name}: an isolated plugin's metrics are named ${prefix}…`, {
        path: options.name,
      });
    }
    return options;
  }

  // The registry above returned the existing metric or threw on a clash, so the name is defined once.
  private wire<M extends Wired>(name: string, make: (report: Report) => M, definition: MetricDefinition): M {
    const known = this.wired.get(name);
    if (known) return known as M;
    this.channel.call("metrics.define", definition).catch(this.log);
    const metric = make((op, value, labels) =>
      this.channel.notify("metrics.update", { name, op, value, labels } satisfies MetricUpdate),
    );
    this.wired.set(name, metric);
    return metric;
  }
}

const definition = (metric: Counter | Gauge | Histogram) => ({
  name: metric.name,
  help: metric.help,
  labelNames: [...metric.labelNames],
});

const collectRefused = () =>
  unsupported(
    "A metric's collect callback",
    "the core renders /metrics without asking the child; update the metric when its value changes",
  );
