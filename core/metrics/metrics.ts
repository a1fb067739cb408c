// Counters, gauges and histograms with labels. The hot path (inc, observe) is a walk down nested maps
// to a pre-built child and a number update; label text is built once, when a child is first seen.
import { TesseraError } from "../errors/tessera-error";

export type LabelValue = string | number;

interface Node<C> {
  next?: Map<string, Node<C>>;
  child?: C;
}

/** A metric's children, one per distinct label-value tuple, in first-seen order. */
class Family<C> {
  children: Array<{ labels: string; child: C }> = [];
  private root: Node<C> = {};

  constructor(
    readonly labelNames: readonly string[],
    private readonly create: () => C,
  ) {}

  get(values: readonly LabelValue[]): C {
    if (values.length !== this.labelNames.length) {
      throw new TesseraError("ERR_METRIC_LABELS", `Expected labels (${this.labelNames.join(", ")}), got ${values.length} values`);
    }
    let node = this.root;
    for (const value of values) {
      const key = typeof value === "string" ? value : String(value);
      node.next ??= new Map();
      let next = node.next.get(key);
      if (!next) {
        next = {};
        node.next.set(key, next);
      }
      node = next;
    }
    if (!node.child) {
      node.child = this.create();
      this.children.push({ labels: labelPairs(this.labelNames, values), child: node.child });
    }
    return node.child;
  }

  clear(): void {
    this.children = [];
    this.root = {};
  }
}

const escapeLabelValue = (value: string) => value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

/** `name="value",…` without braces, so histograms can append `le`. */
const labelPairs = (names: readonly string[], values: readonly LabelValue[]) =>
  names.map((name, i) => `${name}="${escapeLabelValue(String(values[i]))}"`).join(",");

/**
 * A child per value of one label, kept after its first use: a hot path then pays one Map lookup instead of
 * `labels()`'s walk with its argument array and string conversions.
 */
export const childrenBy = <K extends LabelValue, C>(labels: (value: K) => C): ((value: K) => C) => {
  const kept = new Map<K, C>();
  return (value) => {
    let child = kept.get(value);
    if (child === undefined) {
      child = labels(value);
      kept.set(value, child);
    }
    return child;
  };
};

export class CounterChild {
  value = 0;

  inc(amount = 1): void {
    if (!(amount >= 0)) throw new TesseraError("ERR_METRIC_VALUE", `A counter only goes up; got ${amount}`);
    this.value += amount;
  }
}

export class GaugeChild {
  value = 0;

  set(value: number): void {
    this.value = value;
  }

  inc(amount = 1): void {
    this.value += amount;
  }

  dec(amount = 1): void {
    this.value -= amount;
  }
}

export class HistogramChild {
  /** Per-bucket counts, not cumulative; render accumulates. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    // A dozen buckets: a linear scan beats a binary search.
    for (let i = 0; i < this.bounds.length; i++) {
      if (value <= (this.bounds[i] ?? Number.POSITIVE_INFINITY)) {
        this.counts[i] = (this.counts[i] ?? 0) + 1;
        break;
      }
    }
    this.sum += value;
    this.count++;
  }
}

abstract class Metric<C> {
  abstract readonly type: "counter" | "gauge" | "histogram";
  protected readonly family: Family<C>;

  constructor(
    readonly name: string,
    readonly help: string,
    labelNames: readonly string[],
    create: () => C,
  ) {
    this.family = new Family(labelNames, create);
    // An unlabelled metric has exactly one child and shows 0 before its first update.
    if (labelNames.length === 0) this.family.get([]);
  }

  get labelNames(): readonly string[] {
    return this.family.labelNames;
  }

  get children(): ReadonlyArray<{ labels: string; child: C }> {
    return this.family.children;
  }

  /** The child for these label values, in `labelNames` order; keep it to skip even the lookup. */
  labels(...values: LabelValue[]): C {
    return this.family.get(values);
  }

  /** Drops every child, for a `collect` callback that rebuilds a labelled gauge at each scrape.
   *  Children held by callers are detached from then on. */
  reset(): void {
    this.family.clear();
    if (this.family.labelNames.length === 0) this.family.get([]);
  }
}

export class Counter extends Metric<CounterChild> {
  readonly type = "counter";

  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    /** Runs at scrape time to bring a total kept elsewhere (CPU time) up to date. */
    readonly collect?: (counter: Counter) => void,
  ) {
    super(name, help, labelNames, () => new CounterChild());
  }

  inc(amount = 1): void {
    this.family.get([]).inc(amount);
  }
}

export class Gauge extends Metric<GaugeChild> {
  readonly type = "gauge";

  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    /** Runs at scrape time to set the gauge's values (queue depth, open sockets). */
    readonly collect?: (gauge: Gauge) => void,
  ) {
    super(name, help, labelNames, () => new GaugeChild());
  }

  set(value: number): void {
    this.family.get([]).set(value);
  }

  inc(amount = 1): void {
    this.family.get([]).inc(amount);
  }

  dec(amount = 1): void {
    this.family.get([]).dec(amount);
  }
}

export class Histogram extends Metric<HistogramChild> {
  readonly type = "histogram";

  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    readonly buckets: readonly number[],
  ) {
    super(name, help, labelNames, () => new HistogramChild(buckets));
  }

  observe(value: number): void {
    this.family.get([]).observe(value);
  }
}
