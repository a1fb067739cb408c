import { describe, expect, test } from "bun:test";
import { Registry } from "../../../core/metrics/registry";

// One sample line of the text format: name, optional {labels}, a value.
const SAMPLE =
  /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*",?)*\})? (NaN|[+-]Inf|-?\d+(\.\d+)?(e[+-]?\d+)?)$/;

const lines = (registry: Registry) => {
  const text = registry.render();
  expect(text.endsWith("\n")).toBe(true);
  return text.slice(0, -1).split("\n");
};

describe("Registry.render", () => {
  test("a labelled counter: HELP, TYPE, one line per label set in first-seen order", () => {
    const registry = new Registry();
    const counter = registry.counter({ name: "jobs_total", help: "Jobs created.", labelNames: ["workspace", "kind"] });
    counter.labels("w1", "build").inc();
    counter.labels("w2", "test").inc(2);
    counter.labels("w1", "build").inc();
    expect(lines(registry)).toEqual([
      "# HELP jobs_total Jobs created.",
      "# TYPE jobs_total counter",
      'jobs_total{workspace="w1",kind="build"} 2',
      'jobs_total{workspace="w2",kind="test"} 2',
    ]);
  });

  test("an unlabelled metric shows 0 before its first update", () => {
    const registry = new Registry();
    registry.counter({ name: "restarts_total", help: "Restarts." });
    expect(lines(registry)).toEqual(["# HELP restarts_total Restarts.", "# TYPE restarts_total counter", "restarts_total 0"]);
  });

  test("escapes label values and help text", () => {
    const registry = new Registry();
    registry
      .gauge({ name: "odd", help: "Back\\slash and\nnewline.", labelNames: ["v"] })
      .labels('quote " back \\ line \n end')
      .set(1);
    expect(lines(registry)).toEqual([
      "# HELP odd Back\\\\slash and\\nnewline.",
      "# TYPE odd gauge",
      'odd{v="quote \\" back \\\\ line \\n end"} 1',
    ]);
  });

  test("gauges go up and down, and a collect callback runs at each scrape", () => {
    const registry = new Registry();
    const open = registry.gauge({ name: "ws_open", help: "Open sockets." });
    open.inc();
    open.inc();
    open.dec();
    let depth = 3;
    registry.gauge({ name: "queue_depth", help: "Queued.", collect: (gauge) => gauge.set(depth) });
    expect(lines(registry)).toContain("ws_open 1");
    expect(lines(registry)).toContain("queue_depth 3");
    depth = 7;
    expect(lines(registry)).toContain("queue_depth 7");
  });

  test("a collect callback can rebuild a labelled gauge with reset()", () => {
    const registry = new Registry();
    let members: Record<string, number> = { w1: 2, w2: 5 };
    registry.gauge({
      name: "members",
      help: "Members.",
      labelNames: ["workspace"],
      collect: (gauge) => {
        gauge.reset();
        for (const [workspace, count] of Object.entries(members)) gauge.labels(workspace).set(count);
      },
    });
    expect(lines(registry).slice(2)).toEqual(['members{workspace="w1"} 2', 'members{workspace="w2"} 5']);
    members = { w2: 4 };
    expect(lines(registry).slice(2)).toEqual(['members{workspace="w2"} 4']);
  });

  test("a histogram renders cumulative _bucket lines with le up to +Inf, then _sum and _count", () => {
    const registry = new Registry();
    const histogram = registry.histogram({
      name: "latency_seconds",
      help: "Latency.",
      labelNames: ["route"],
      buckets: [0.1, 0.5, 1],
    });
    const child = histogram.labels("/x");
    for (const value of [0.05, 0.1, 0.3, 0.7, 3]) child.observe(value);
    expect(lines(registry)).toEqual([
      "# HELP latency_seconds Latency.",
      "# TYPE latency_seconds histogram",
      'latency_seconds_bucket{route="/x",le="0.1"} 2',
      'latency_seconds_bucket{route="/x",le="0.5"} 3',
      'latency_seconds_bucket{route="/x",le="1"} 4',
      'latency_seconds_bucket{route="/x",le="+Inf"} 5',
      'latency_seconds_sum{route="/x"} 4.15',
      'latency_seconds_count{route="/x"} 5',
    ]);
  });

  test("an unlabelled histogram has le as its only label", () => {
    const registry = new Registry();
    registry.histogram({ name: "h", help: "H.", buckets: [1] }).observe(2);
    expect(lines(registry).slice(2)).toEqual(['h_bucket{le="1"} 0', 'h_bucket{le="+Inf"} 1', "h_sum 2", "h_count 1"]);
  });

  test("every line is a comment or a well-formed sample", () => {
    const registry = new Registry();
    registry
      .counter({ name: "c_total", help: "C.", labelNames: ["a"] })
      .labels('x"y')
      .inc();
    registry.gauge({ name: "g", help: "G." }).set(Number.NaN);
    registry.gauge({ name: "g2", help: "G2." }).set(Number.NEGATIVE_INFINITY);
    registry
      .histogram({ name: "h", help: "H.", labelNames: ["r"] })
      .labels("/")
      .observe(0.2);
    for (const line of lines(registry)) {
      expect(line.startsWith("# HELP ") || line.startsWith("# TYPE ") || SAMPLE.test(line)).toBe(true);
    }
  });

  test("nothing registered renders nothing", () => {
    expect(new Registry().render()).toBe("");
  });
});

describe("Registry definitions", () => {
  test("the same label values give the same child", () => {
    const counter = new Registry().counter({ name: "c", help: "C.", labelNames: ["status"] });
    expect(counter.labels(200)).toBe(counter.labels("200"));
    expect(counter.labels("200")).not.toBe(counter.labels("404"));
  });

  test("the wrong number of label values is refused", () => {
    const counter = new Registry().counter({ name: "c", help: "C.", labelNames: ["a", "b"] });
    expect(() => counter.labels("only-one")).toThrow("Expected labels (a, b)");
  });

  test("a counter only goes up", () => {
    expect(() => new Registry().counter({ name: "c", help: "C." }).inc(-1)).toThrow("only goes up");
  });

  test("defining a metric again returns it; a conflicting definition throws", () => {
    const registry = new Registry();
    const first = registry.counter({ name: "c_total", help: "C.", labelNames: ["a"] });
    expect(registry.counter({ name: "c_total", help: "C.", labelNames: ["a"] })).toBe(first);
    expect(() => registry.gauge({ name: "c_total", help: "C." })).toThrow("already registered as a counter");
    expect(() => registry.counter({ name: "c_total", help: "C.", labelNames: ["b"] })).toThrow("already registered");
  });

  test("invalid names, labels and buckets are refused", () => {
    const registry = new Registry();
    expect(() => registry.counter({ name: "bad-name", help: "" })).toThrow("not a valid metric name");
    expect(() => registry.counter({ name: "ok", help: "", labelNames: ["__reserved"] })).toThrow("invalid label name");
    expect(() => registry.histogram({ name: "h", help: "", labelNames: ["le"] })).toThrow('cannot use the label "le"');
    expect(() => registry.histogram({ name: "h2", help: "", buckets: [1, 1] })).toThrow("strictly increasing");
  });

  test("a counter's collect callback brings a total kept elsewhere up to date at each scrape", () => {
    const registry = new Registry();
    let elsewhere = 1.5;
    registry.counter({
      name: "cpu_seconds_total",
      help: "C.",
      collect: (counter) => counter.inc(elsewhere - (counter.children[0]?.child.value ?? 0)),
    });
    expect(lines(registry)).toEqual(["# HELP cpu_seconds_total C.", "# TYPE cpu_seconds_total counter", "cpu_seconds_total 1.5"]);
    elsewhere = 4;
    expect(lines(registry)[2]).toBe("cpu_seconds_total 4");
  });

  test("a failing counter collect callback is reported like a gauge's", () => {
    const failures: string[] = [];
    const registry = new Registry({ onCollectError: (name) => failures.push(name) });
    registry.counter({
      name: "broken_total",
      help: "B.",
      collect: () => {
        throw new Error("nope");
      },
    });
    expect(registry.render()).toBe("");
    expect(failures).toEqual(["broken_total"]);
  });

  test("a failing collect callback is reported and leaves the rest of the scrape intact", () => {
    const failures: string[] = [];
    const registry = new Registry({ onCollectError: (name) => failures.push(name) });
    registry.gauge({
      name: "broken",
      help: "B.",
      collect: () => {
        throw new Error("nope");
      },
    });
    registry.counter({ name: "fine_total", help: "F." });
    expect(lines(registry)).toEqual(["# HELP fine_total F.", "# TYPE fine_total counter", "fine_total 0"]);
    expect(failures).toEqual(["broken"]);
  });

  test("without an error handler, a failing collect callback fails the scrape", () => {
    const registry = new Registry();
    registry.gauge({
      name: "broken",
      help: "B.",
      collect: () => {
        throw new Error("nope");
      },
    });
    expect(() => registry.render()).toThrow("nope");
  });
});
