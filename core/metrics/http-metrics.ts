// The HTTP request metrics every instance exposes. `route` must be the matched route pattern
// (`/workspaces/:id`), never the raw path, or every id becomes its own time series.
import { type Counter, childrenBy, type Histogram } from "./metrics";
import type { Registry } from "./registry";

export const HTTP_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export interface HttpMetrics {
  requests: Counter;
  duration: Histogram;
  observe(method: string, route: string, status: number, seconds: number): void;
}

export const httpMetrics = (registry: Registry): HttpMetrics => {
  const requests = registry.counter({
    name: "tessera_http_requests_total",
    help: "HTTP requests answered, by method, route pattern and status.",
    labelNames: ["method", "route", "status"],
  });
  const duration = registry.histogram({
    name: "tessera_http_request_duration_seconds",
    help: "Time to answer an HTTP request, by method and route pattern.",
    labelNames: ["method", "route"],
    buckets: HTTP_DURATION_BUCKETS,
  });
  // Every request observes: the children of each (route, method, status) are kept, so that costs three map
  // lookups instead of walks through the label tree with their argument arrays and string conversions.
  const byRoute = childrenBy((route: string) =>
    childrenBy((method: string) => ({
      duration: duration.labels(method, route),
      countOf: childrenBy((status: number) => requests.labels(method, route, status)),
    })),
  );
  return {
    requests,
    duration,
    observe(method, route, status, seconds) {
      const children = byRoute(route)(method);
      children.countOf(status).inc();
      children.duration.observe(seconds);
    },
  };
};
