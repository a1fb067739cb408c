// `metrics.define` and `metrics.update`: an isolated plugin's own metrics in the core's registry, named
// `tessera_plugin_<name>_…` so that it can neither shadow nor feed another's. Updates are notifications
// (no reply on the hot path) and reach only metrics this child defined.
import { Type } from "@sinclair/typebox";
import { TesseraError } from "../../errors/tessera-error";
import type { Counter, Gauge, Histogram } from "../../metrics/metrics";
import type { Registry } from "../../metrics/registry";
import type { Channel } from "../wire/channel";
import { metricPrefix } from "../wire/protocol";
import { paramsOf } from "./params";

const defineParams = paramsOf(
  "metrics.define",
  Type.Object({
    kind: Type.Union([Type.Literal("counter"), Type.Literal("gauge"), Type.Literal("histogram")]),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    help: Type.String({ maxLength: 1000 }),
    labelNames: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 10 }),
    buckets: Type.Optional(Type.Array(Type.Number(), { maxItems: 50 })),
  }),
);
const updateParams = paramsOf(
  "metrics.update",
  Type.Object({
    name: Type.String({ minLength: 1, maxLength: 200 }),
    op: Type.Union([Type.Literal("inc"), Type.Literal("set"), Type.Literal("observe")]),
    value: Type.Number(),
    labels: Type.Optional(Type.Record(Type.String(), Type.String({ maxLength: 200 }))),
  }),
);

type Defined = Counter | Gauge | Histogram;

const apply = (metric: Defined, op: "inc" | "set" | "observe", value: number, labels: Record<string, string> | undefined) => {
  const values = metric.labelNames.map((name) => labels?.[name] ?? "");
  if (metric.type === "histogram") {
    if (op === "observe") metric.labels(...values).observe(value);
  } else if (metric.type === "gauge") {
    const child = metric.labels(...values);
    if (op === "set") child.set(value);
    else if (op === "inc") child.inc(value);
  } else if (op === "inc" && value >= 0) metric.labels(...values).inc(value);
};

export const serveMetrics = (
  channel: Channel,
  plugin: string,
  registry: Registry,
  onBadUpdate: (error: unknown) => void,
): void => {
  const prefix = metricPrefix(plugin);
  const defined = new Map<string, Defined>();
  channel.handle("metrics.define", (params) => {
    const { kind, name, help, labelNames, buckets } = defineParams(params);
    if (!name.startsWith(prefix) || name.length === prefix.length) {
      throw new TesseraError("ERR_ISOLATION_PROTOCOL", `Metric "${name}" of plugin "${plugin}" must be named ${prefix}…`, {
        status: 500,
      });
    }
    const options = { name, help, labelNames };
    defined.set(
      name,
      kind === "counter"
        ? registry.counter(options)
        : kind === "gauge"
          ? registry.gauge(options)
          : registry.histogram({ ...options, buckets }),
    );
    return null;
  });
  channel.handle("metrics.update", (params) => {
    try {
      const { name, op, value, labels } = updateParams(params);
      const metric = defined.get(name);
      if (metric) apply(metric, op, value, labels);
    } catch (error) {
      onBadUpdate(error);
    }
  });
};
