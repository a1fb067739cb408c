// A dedicated Redis PUB/SUB connection that comes back on its own: when the connection drops it is
// replaced with backoff (Bun's client does not re-subscribe), and `onResubscribed` tells the owner to
// catch up on what it missed meanwhile.
import { RedisClient } from "bun";
import type { Logger } from "../log/logger";
import { type RedisConnectionOptions, redisLocation } from "./connection";

export interface RedisSubscriberOptions extends RedisConnectionOptions {
  url: string;
  channel: string;
  /** CLIENT SETNAME for the connection, so operators (and tests) can find it in CLIENT LIST. */
  clientName?: string;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  logger: Logger;
  onMessage: (message: string) => void;
  onResubscribed: () => void;
}

export class RedisSubscriber {
  private client: RedisClient | undefined;
  private subscribed = false;
  private everSubscribed = false;
  private failures = 0;
  private closed = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: RedisSubscriberOptions) {}

  get connected(): boolean {
    return this.subscribed;
  }

  /** Resolves after the first attempt, whether it subscribed or scheduled a retry. */
  start(): Promise<void> {
    return this.attempt();
  }

  close(): void {
    this.closed = true;
    this.subscribed = false;
    clearTimeout(this.timer);
    this.drop();
  }

  private async attempt(): Promise<void> {
    const { url, connectTimeoutMs, clientName, channel } = this.options;
    // Reconnection is ours, not Bun's: a fresh client per attempt, subscribed from scratch.
    const client = new RedisClient(url, {
      autoReconnect: false,
      enableOfflineQueue: false,
      connectionTimeout: connectTimeoutMs ?? 2000,
    });
    this.client = client;
    client.onclose = (error) => this.lost(client, error);
    try {
      await client.connect();
      if (clientName) await client.send("CLIENT", ["SETNAME", clientName]);
      await client.subscribe(channel, (message) => this.options.onMessage(message));
    } catch (error) {
      this.lost(client, error);
      return;
    }
    if (this.closed || this.client !== client) return;
    const resumed = this.everSubscribed;
    this.subscribed = this.everSubscribed = true;
    this.failures = 0;
    if (resumed) this.options.logger.info("Redis subscriber back", { redis: redisLocation(url), channel });
    if (resumed) this.options.onResubscribed();
  }

  private lost(client: RedisClient, error: unknown): void {
    if (this.closed || this.client !== client) return;
    if (this.subscribed || this.failures === 0) {
      this.options.logger.warn("Redis subscriber lost; retrying with backoff", { redis: redisLocation(this.options.url), error });
    }
    this.subscribed = false;
    this.drop();
    const min = this.options.minBackoffMs ?? 100;
    const max = this.options.maxBackoffMs ?? 5000;
    // Full jitter, so instances that lost Redis together do not reconnect in lockstep.
    const delay = Math.min(max, min * 2 ** this.failures) * (0.5 + Math.random() / 2);
    this.failures++;
    this.timer = setTimeout(() => void this.attempt(), delay);
    this.timer.unref();
  }

  private drop(): void {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    client.onclose = null;
    client.close();
  }
}
