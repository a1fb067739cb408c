// One command connection to Redis that fails fast and loudly: a command while Redis is unreachable
// or slow rejects with ERR_UNAVAILABLE instead of queueing, so callers (rate limits) can fail closed.
import { RedisClient } from "bun";
import { TesseraError } from "../errors/tessera-error";
import type { RedisScript } from "./script";

export interface RedisConnectionOptions {
  connectTimeoutMs?: number;
  /** Upper bound on one command, connection included; a hung Redis must not hang a request. */
  commandTimeoutMs?: number;
  /** After a failed connect, commands fail at once for this long instead of each trying again. */
  reconnectDelayMs?: number;
}

/** The URL as safe to print: scheme, host and port, never the credentials. */
export const redisLocation = (url: string): string => {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return "redis (unparsable URL)";
  }
};

const isNoScript = (error: unknown): boolean => error instanceof Error && error.message.startsWith("NOSCRIPT");

export class RedisConnection {
  readonly location: string;
  private readonly client: RedisClient;
  private readonly commandTimeoutMs: number;
  private readonly reconnectDelayMs: number;
  private connecting: Promise<void> | undefined;
  private lastFailure: { at: number; error: unknown } | undefined;

  constructor(url: string, options: RedisConnectionOptions = {}) {
    this.location = redisLocation(url);
    this.commandTimeoutMs = options.commandTimeoutMs ?? 2000;
    this.reconnectDelayMs = options.reconnectDelayMs ?? 500;
    // Reconnection is ours (on the next command), and there is no offline queue: with Bun's own retries
    // a command to a dead Redis would wait out every attempt instead of failing.
    this.client = new RedisClient(url, {
      connectionTimeout: options.connectTimeoutMs ?? 2000,
      autoReconnect: false,
      enableOfflineQueue: false,
    });
  }

  async send(command: string, args: string[]): Promise<unknown> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.commandTimeoutMs} ms`)), this.commandTimeoutMs);
    });
    try {
      return await Promise.race([this.connected().then(() => this.client.send(command, args)), expired]);
    } catch (error) {
      throw this.unavailable(command, error);
    } finally {
      clearTimeout(timer);
    }
  }

  async eval(script: RedisScript, keys: string[], args: string[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await this.send("EVALSHA", [script.sha, ...tail]);
    } catch (error) {
      if (!(error instanceof TesseraError && isNoScript(error.cause))) throw error;
      return this.send("EVAL", [script.source, ...tail]);
    }
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.send("PING", [])) === "PONG";
    } catch {
      // A failed ping is the answer to "is Redis there?", not an error to propagate.
      return false;
    }
  }

  close(): void {
    this.client.close();
  }

  // Connects when needed: before the first command and after a drop. Concurrent commands share one
  // attempt, and a recent failure is repeated rather than retried so an outage costs no waiting.
  private connected(): Promise<void> {
    if (this.client.connected) return Promise.resolve();
    const failure = this.lastFailure;
    if (failure && Date.now() - failure.at < this.reconnectDelayMs) return Promise.reject(failure.error);
    this.connecting ??= this.client
      .connect()
      .then(() => {
        this.lastFailure = undefined;
      })
      .catch((error: unknown) => {
        this.lastFailure = { at: Date.now(), error };
        throw error;
      })
      .finally(() => {
        this.connecting = undefined;
      });
    return this.connecting;
  }

  private unavailable(command: string, cause: unknown): TesseraError {
    return new TesseraError("ERR_UNAVAILABLE", `Redis at ${this.location} failed on ${command}`, {
      status: 503,
      cause,
    });
  }
}
