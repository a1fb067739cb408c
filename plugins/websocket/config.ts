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
    description:
      "A socket is pinged before it has been silent this long (up to 8 s before: Bun counts in 4 s steps), and closed if no answer comes within 4 to 16 s more.",
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

// Bun (uWebSockets) keeps time in 4-second steps, rounding every timeout up to a whole step. With
// sendPings it pings a socket silent for idleTimeout minus a grace, and closes it when the grace passes
// without an answer; the grace is 4, 8 or 16 s, the largest that fits four times into idleTimeout.
const TIMER_STEP_S = 4;
const MAX_IDLE_TIMEOUT_S = 960;
const graceOf = (idleTimeout: number): number => {
  let grace = TIMER_STEP_S;
  while (idleTimeout - grace * 2 >= grace * 2 && grace < 16) grace *= 2;
  return grace;
};
const pingAfter = (idleTimeout: number): number => Math.ceil((idleTimeout - graceOf(idleTimeout)) / TIMER_STEP_S) * TIMER_STEP_S;

/**
 * The longest idleTimeout whose ping comes before the socket has been silent for the heartbeat interval,
 * so that a proxy timing out after a little more than the interval never sees a longer silence.
 */
export const idleTimeoutFor = (heartbeatIntervalMs: number): number => {
  const limit = Math.floor(heartbeatIntervalMs / 1000);
  for (let idleTimeout = MAX_IDLE_TIMEOUT_S; idleTimeout > 2 * TIMER_STEP_S; idleTimeout--) {
    if (pingAfter(idleTimeout) <= limit) return idleTimeout;
  }
  return 2 * TIMER_STEP_S;
};

/** Bun applies these to the whole server (see create-runtime); this plugin is the only one that opens sockets. */
export const serverOptions = (config: WebSocketConfig) => ({
  maxPayloadLength: config.maxPayloadBytes,
  idleTimeout: idleTimeoutFor(config.heartbeatIntervalMs),
  sendPings: true,
  // Past the limit Bun drops frames; the hub closes such a socket (1013) before that happens.
  backpressureLimit: config.maxBufferedBytes,
  closeOnBackpressureLimit: false,
  perMessageDeflate: false,
});
