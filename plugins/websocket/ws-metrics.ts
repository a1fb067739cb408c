// The plugin's Prometheus metrics. Gauges are read at scrape time, so the hot paths only bump counters.
import { childrenBy, type Registry } from "tessera/plugin";

export type LimitKind = "message" | "connections" | "attempts";

export interface WsMetrics {
  received(): void;
  sent(count: number): void;
  limited(kind: LimitKind): void;
  closed(code: number): void;
}

export interface WsGauges {
  connections(): number;
  subscriptions(): number;
}

export const wsMetrics = (registry: Registry, gauges: WsGauges): WsMetrics => {
  registry.gauge({
    name: "tessera_ws_connections",
    help: "Open WebSocket connections",
    collect: (gauge) => gauge.set(gauges.connections()),
  });
  registry.gauge({
    name: "tessera_ws_subscriptions",
    help: "Workspace subscriptions of open WebSocket connections",
    collect: (gauge) => gauge.set(gauges.subscriptions()),
  });
  // Per-frame counters keep their child: inc on it is a number update, with no label walk per frame.
  const received = registry
    .counter({ name: "tessera_ws_messages_received_total", help: "Frames received from clients" })
    .labels();
  const sent = registry
    .counter({ name: "tessera_ws_messages_sent_total", help: "Frames sent to clients, once per recipient" })
    .labels();
  const limited = registry.counter({
    name: "tessera_ws_rate_limited_total",
    help: "Refusals by limit: message rate, connections per user, connection attempts per IP",
    labelNames: ["limit"],
  });
  const limitedBy = {
    message: limited.labels("message"),
    connections: limited.labels("connections"),
    attempts: limited.labels("attempts"),
  };
  const closes = registry.counter({
    name: "tessera_ws_closes_total",
    help: "Closed WebSocket connections by close code",
    labelNames: ["code"],
  });
  // Close codes are a handful; each one's child is kept, so a close is no label walk either.
  const closedWith = childrenBy((code: number) => closes.labels(code));
  return {
    received: () => received.inc(),
    sent: (count) => sent.inc(count),
    limited: (kind) => limitedBy[kind].inc(),
    closed: (code) => closedWith(code).inc(),
  };
};
