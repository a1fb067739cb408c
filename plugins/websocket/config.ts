// The websocket plugin's section of tessera.jsonc, and the Bun server options it implies.
import { type Static, t } from "elysia";

export const TICKET_ROUTE = "/ws/ticket";

export const WebSocketConfigSchema = t.Object({
  path: t.String({ pattern: "^/[A-Za-z0-9._~/-]*$", default: "/ws", description: "Where clients connect." }),
  authTimeoutMs: t.Integer({
    minimum: 100,
    maximum: 60_000,
    default: 5000,
    description: "A socket not authenticated this long after it opened is closed with 4401.",
  }),
  maxPayloadBytes: t.Integer({
    minimum: 1024,
    maximum: 16 * 1024 * 1024,
    default: 64 * 1024,
    description: "Largest frame a client may send; a larger one closes the socket with 1009.",
  }),
  messagesPerSecond: t.Integer({ minimum: 1, default: 20, description: "Steady message rate per user, over all their sockets." }),
  burst: t.Integer({
    minimum: 1,
    default: 40,
    description: "Messages a user may send at once above the steady rate; as many again refused closes the socket (4429).",
  }),
  maxConnectionsPerUser: t.Integer({ minimum: 1, default: 16 }),
  connectionAttemptsPerMinutePerIp: t.Integer({ minimum: 1, default: 300, description: "Upgrades past this get a 429." }),
  maxBufferedBytes: t.Integer({
    minimum: 16 * 1024,
    default: 1024 * 1024,
    description: "Unsent bytes a socket may hold; a consumer slower than that is closed with 1013 (it resumes with `since`).",
  }),
  heartbeatIntervalMs: t.Integer({
    minimum: 4000,
    maximum: 480_000,
    default: 30_000,
    description: "A silent socket is pinged after this long, and closed if it stays silent as long again.",
  }),
  replayLimit: t.Integer({
    minimum: 1,
    maximum: 10_000,
    default: 1000,
    description: "Most events replayed for `since`; missing more than that is reported as a gap.",
  }),
  ticketTtlSeconds: t.Integer({ minimum: 1, maximum: 30, default: 30, description: "Lifetime of a POST /ws/ticket ticket." }),
  ticketSecret: t.Optional(
    t.String({
      minLength: 32,
      description:
        "HMAC key for tickets, shared by every instance (interpolate it, e.g. from WS_TICKET_SECRET); else one is kept in the database.",
    }),
  ),
  sse: t.Object(
    {
      enabled: t.Boolean({ default: true, description: "Serve GET /workspaces/:id/events as Server-Sent Events." }),
      heartbeatMs: t.Integer({
        minimum: 500,
        maximum: 300_000,
        default: 15_000,
        description: "A `: ping` comment this often keeps proxies from closing an idle stream.",
      }),
      maxStreamsPerUser: t.Integer({ minimum: 1, default: 8, description: "Open event streams per user; one more gets a 429." }),
      retryMs: t.Integer({
        minimum: 100,
        maximum: 60_000,
        default: 3000,
        description: "The `retry:` hint: how long an EventSource waits before reconnecting.",
      }),
    },
    { default: {}, description: "Server-Sent Events: the same workspace events for clients that can't hold a WebSocket." },
  ),
  allowQueryToken: t.Boolean({
    default: false,
    description: "Accept ?token= at upgrade. Off: URLs end up in proxy logs; prefer ?ticket= or the auth message.",
  }),
});

export type WebSocketConfig = Static<typeof WebSocketConfigSchema>;

/** Bun applies these to the whole server (see create-runtime); this plugin is the only one that opens sockets. */
export const serverOptions = (config: WebSocketConfig) => ({
  maxPayloadLength: config.maxPayloadBytes,
  // Bun pings a silent socket halfway through idleTimeout and closes it at the end, so a live peer is
  // pinged every heartbeat and a dead one is reaped after two.
  idleTimeout: Math.ceil((2 * config.heartbeatIntervalMs) / 1000),
  sendPings: true,
  // Past the limit Bun drops frames; the hub closes such a socket (1013) before that happens.
  backpressureLimit: config.maxBufferedBytes,
  closeOnBackpressureLimit: false,
  perMessageDeflate: false,
});
