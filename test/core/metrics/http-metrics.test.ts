import { describe, expect, test } from "bun:test";
import { HTTP_DURATION_BUCKETS, httpMetrics } from "../../../core/metrics/http-metrics";
import { Registry } from "../../../core/metrics/registry";

describe("httpMetrics", () => {
  test("counts requests by method, route and status and times them by method and route", () => {
    const registry = new Registry();
    const http = httpMetrics(registry);
    http.observe("GET", "/workspaces/:id", 200, 0.003);
    http.observe("GET", "/workspaces/:id", 200, 0.02);
    http.observe("GET", "/workspaces/:id", 404, 7);
    const text = registry.render().split("\n");
    expect(text).toContain("# TYPE tessera_http_requests_total counter");
    expect(text).toContain('tessera_http_requests_total{method="GET",route="/workspaces/:id",status="200"} 2');
    expect(text).toContain('tessera_http_requests_total{method="GET",route="/workspaces/:id",status="404"} 1');
    expect(text).toContain("# TYPE tessera_http_request_duration_seconds histogram");
    expect(text).toContain('tessera_http_request_duration_seconds_bucket{method="GET",route="/workspaces/:id",le="0.001"} 0');
    expect(text).toContain('tessera_http_request_duration_seconds_bucket{method="GET",route="/workspaces/:id",le="0.005"} 1');
    expect(text).toContain('tessera_http_request_duration_seconds_bucket{method="GET",route="/workspaces/:id",le="5"} 2');
    expect(text).toContain('tessera_http_request_duration_seconds_bucket{method="GET",route="/workspaces/:id",le="+Inf"} 3');
    expect(text).toContain('tessera_http_request_duration_seconds_count{method="GET",route="/workspaces/:id"} 3');
  });

  test("buckets run from 1 ms to 5 s", () => {
    expect(HTTP_DURATION_BUCKETS[0]).toBe(0.001);
    expect(HTTP_DURATION_BUCKETS.at(-1)).toBe(5);
  });

  test("registering twice on one registry shares the metrics", () => {
    const registry = new Registry();
    expect(httpMetrics(registry).requests).toBe(httpMetrics(registry).requests);
  });
});
