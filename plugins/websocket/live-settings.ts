// The websocket settings a SIGHUP may change while sockets and streams stay open: the limits and
// deadlines checked per socket, message or stream. The rest shape the server or the tickets already
// issued, and keep their start-up values until a restart.
import { type RateRule, restartOnly } from "tessera/plugin";
import type { WebSocketConfig } from "./config";

export interface LiveSettings {
  /** For a socket opened from now on. */
  authTimeoutMs: number;
  /** Per user, over all their sockets; `burst` refused messages in a row close the socket. */
  messages: RateRule & { burst: number };
  maxConnectionsPerUser: number;
  attemptsPerMinute: number;
  replayLimit: number;
  allowQueryToken: boolean;
  maxStreamsPerUser: number;
  /** The `retry:` hint of a stream opened from now on. */
  retryMs: number;
}

// Bun's server options (frame size, idle timeout, backpressure) are set when it starts listening; the
// path and event streams are routes; the ticket key and lifetime bind tickets already handed out.
const RESTART_ONLY = [
  "path",
  "maxPayloadBytes",
  "heartbeatIntervalMs",
  "maxBufferedBytes",
  "ticketSecret",
  "ticketTtlSeconds",
  "sse.enabled",
  "sse.heartbeatMs",
];

export const liveSettings = (config: WebSocketConfig): LiveSettings => ({
  authTimeoutMs: config.authTimeoutMs,
  messages: { limit: config.messagesPerSecond, windowMs: 1000, burst: config.burst },
  maxConnectionsPerUser: config.maxConnectionsPerUser,
  attemptsPerMinute: config.connectionAttemptsPerMinutePerIp,
  replayLimit: config.replayLimit,
  allowQueryToken: config.allowQueryToken,
  maxStreamsPerUser: config.sse.maxStreamsPerUser,
  retryMs: config.sse.retryMs,
});

/** The changed settings a reload leaves at their start-up values. */
export const needsRestart = (started: WebSocketConfig, next: WebSocketConfig): string[] =>
  restartOnly(started, next, RESTART_ONLY).needsRestart;
