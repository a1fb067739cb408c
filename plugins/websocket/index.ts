// The websocket plugin: authenticated, rate-limited real-time workspace events on Bun's native
// WebSocket and, through the same hub, as Server-Sent Events (sse/), with replay for reconnecting
// clients. The wire contract is in protocol.ts.
import { definePlugin } from "tessera/plugin";
import { getRole } from "tessera/plugin/identity";
import { createAdmission } from "./admission";
import { TICKET_ROUTE, type WebSocketConfig, WebSocketConfigSchema } from "./config";
import { createCredentials } from "./credentials";
import { Gateway } from "./gateway";
import { Hub } from "./hub";
import { liveSettings, needsRestart } from "./live-settings";
import { resyncOnReconnect } from "./resync";
import { Revocations } from "./revocation";
import { websocketRoutes } from "./routes";
import { eventStreamRoutes, SSE_ROUTE } from "./sse/routes";
import { EventStreams } from "./sse/streams";
import { StreamTopics } from "./sse/topics";
import { loadTicketSecret } from "./ticket-secret";
import { createTickets } from "./tickets";
import { wsMetrics } from "./ws-metrics";

const REMEMBER_FLOOR_MS = 10_000;

export default definePlugin({
  name: "websocket",
  version: "0.1.0",
  config: WebSocketConfigSchema,
  permissions: (config) => ({ routes: [config.path, TICKET_ROUTE, ...(config.sse.enabled ? [SSE_ROUTE] : [])] }),
  async setup(ctx) {
    const { config } = ctx;
    // What a reload may change, rebuilt whole and swapped in one assignment; every part reads it through
    // `settings`, so a socket, message or stream sees either the old values or the new ones, never a mix.
    let live = liveSettings(config);
    const settings = () => live;
    const tickets = await createTickets({
      secret: await loadTicketSecret(ctx.db, config.ticketSecret),
      ttlSeconds: config.ticketTtlSeconds,
      ledger: ctx.once,
      issuer: ctx.instance.publicUrl,
    });
    const metrics = wsMetrics(ctx.metrics, {
      connections: () => gateway.size,
      subscriptions: () => hub.subscriptions,
    });
    const topics = new StreamTopics();
    const hub = new Hub({
      events: ctx.events,
      roleOf: (workspaceId, userId) => getRole(ctx.db, workspaceId, userId),
      replayLimit: () => live.replayLimit,
      log: ctx.log,
      sent: metrics.sent,
      streams: topics,
    });
    // Revoked sessions are remembered as long as a ticket lives, so one issued before a sign-out opens
    // nothing after it; the floor covers an `auth` message checked just before the revocation.
    const revocations = new Revocations({ hub, rememberMs: Math.max(config.ticketTtlSeconds * 1000, REMEMBER_FLOOR_MS) });
    ctx.onStop(ctx.identityChanges.listen((change) => revocations.apply(change)));
    ctx.onStop(resyncOnReconnect({ events: ctx.events, identityChanges: ctx.identityChanges, hub, revocations, log: ctx.log }));
    const credentials = createCredentials({
      auth: ctx.auth,
      tickets,
      allowQueryToken: () => live.allowQueryToken,
      baseUrl: ctx.instance.publicUrl,
    });
    const gateway = new Gateway({
      hub,
      credentials,
      revocations,
      metrics,
      log: ctx.log,
      settings,
      sharedLimits: ctx.instance.redisUrl ? ctx.limits : undefined,
      slots: ctx.slots,
      maxBufferedBytes: config.maxBufferedBytes,
    });
    ctx.onDrain(() => gateway.stop());
    const admit = createAdmission({
      limits: ctx.limits,
      attemptsPerMinute: () => live.attemptsPerMinute,
      allowedOrigins: ctx.instance.allowedOrigins,
      clientAddress: ctx.clientAddress,
      onLimited: () => metrics.limited("attempts"),
    });
    const reload = (next: WebSocketConfig) => {
      const changed = liveSettings(next);
      const apply = () => {
        live = changed;
      };
      return { apply, needsRestart: needsRestart(config, next) };
    };
    const routes = websocketRoutes({ config, auth: ctx.auth, admit, credentials, gateway, hub, tickets });
    if (!config.sse.enabled) return { routes, reload };
    const streams = new EventStreams({
      hub,
      topics,
      revocations,
      slots: ctx.slots,
      metrics: ctx.metrics,
      heartbeatMs: config.sse.heartbeatMs,
      settings,
      maxBufferedBytes: config.maxBufferedBytes,
    });
    ctx.onDrain(() => streams.stop());
    return { routes: routes.use(eventStreamRoutes({ auth: ctx.auth, admit, streams })), reload };
  },
});
