import { describe, expect, test } from "bun:test";
import { Registry } from "../../../core/metrics/registry";
import { wsMetrics } from "../../../plugins/websocket/ws-metrics";

describe("websocket metrics", () => {
  test("count connections, subscriptions, frames in and out, refusals by limit and closes by code", () => {
    const registry = new Registry();
    const metrics = wsMetrics(registry, { connections: () => 3, subscriptions: () => 5 });
    metrics.received();
    metrics.received();
    metrics.sent(100);
    metrics.sent(1);
    metrics.limited("message");
    metrics.limited("message");
    metrics.limited("attempts");
    metrics.closed(1000);
    metrics.closed(4429);
    metrics.closed(4429);

    const text = registry.render();
    expect(text).toContain("tessera_ws_connections 3");
    expect(text).toContain("tessera_ws_subscriptions 5");
    expect(text).toContain("tessera_ws_messages_received_total 2");
    expect(text).toContain("tessera_ws_messages_sent_total 101");
    expect(text).toContain('tessera_ws_rate_limited_total{limit="message"} 2');
    expect(text).toContain('tessera_ws_rate_limited_total{limit="attempts"} 1');
    expect(text).toContain('tessera_ws_rate_limited_total{limit="connections"} 0');
    expect(text).toContain('tessera_ws_closes_total{code="1000"} 1');
    expect(text).toContain('tessera_ws_closes_total{code="4429"} 2');
  });
});
