// The websocket plugin: authenticated, rate-limited real-time workspace events on Bun's native
// WebSocket, with replay for reconnecting clients. The wire contract is in protocol.ts.
import { getRole } from "../../core/identity/workspaces";
import { definePlugin } from "../../core/plugins/define-plugin";
import { createAdmission } from "./admission";
import { TICKET_ROUTE, WebSocketConfigSchema } from "./config";
import { createCredentials } from "./credentials";
import { Gateway } from "./gateway";
import { Hub } from "./hub";
import { websocketRoutes } from "./routes";
import { MemoryTicketLedger } from "./ticket-ledger";
import { loadTicketSecret } from "./ticket-secret";
import { createTickets } from "./tickets";
import { wsMetrics } from "./ws-metrics";

export default definePlugin({
  name: "websocket",
  version: "0.1.0",
  config: WebSocketConfigSchema,
  permissions: (config) => ({ routes: [config.path, TICKET_ROUTE] }),
  async setup(ctx) {
    const { config } = ctx;
    const tickets = await createTickets({
      secret: await loadTicketSecret(ctx.db, config.ticketSecret),
      ttlSeconds: config.ticketTtlSeconds,
      ledger: new MemoryTicketLedger(),
      issuer: ctx.instance.publicUrl,
    });
    const metrics = wsMetrics(ctx.metrics, {
      connections: () => gateway.size,
      subscriptions: () => hub.subscriptions,
    });
    const hub = new Hub({
      events: ctx.events,
      roleOf: (workspaceId, userId) => getRole(ctx.db, workspaceId, userId),
      replayLimit: config.replayLimit,
      log: ctx.log,
      sent: metrics.sent,
    });
    const credentials = createCredentials({
      auth: ctx.auth,
      tickets,
      allowQueryToken: config.allowQueryToken,
      baseUrl: ctx.instance.publicUrl,
    });
    const gateway = new Gateway({
      hub,
      credentials,
      metrics,
      log: ctx.log,
      authTimeoutMs: config.authTimeoutMs,
      messagesPerSecond: config.messagesPerSecond,
      burst: config.burst,
      maxConnectionsPerUser: config.maxConnectionsPerUser,
      maxBufferedBytes: config.maxBufferedBytes,
    });
    ctx.onStop(() => gateway.stop());
    const admit = createAdmission({
      limits: ctx.limits,
      attemptsPerMinute: config.connectionAttemptsPerMinutePerIp,
      allowedOrigins: ctx.instance.allowedOrigins,
      trustProxy: ctx.instance.trustProxy,
      onLimited: () => metrics.limited("attempts"),
    });
    return websocketRoutes({ config, auth: ctx.auth, admit, credentials, gateway, hub, tickets });
  },
});
