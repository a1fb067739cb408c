// Single-use markers shared by every instance: SET NX with the marker's expiry, so a ticket redeemed
// on one instance is refused on all. Unreachable Redis rejects (ERR_UNAVAILABLE): the claim fails
// closed instead of opening a replay window.
import { RedisConnection, type RedisConnectionOptions } from "../redis/connection";
import type { SingleUse } from "./single-use";

export interface RedisSingleUseOptions extends RedisConnectionOptions {
  url: string;
  /** Key namespace; tests use a unique one per run. */
  prefix?: string;
}

export class RedisSingleUse implements SingleUse {
  private readonly redis: RedisConnection;
  private readonly prefix: string;

  constructor(options: RedisSingleUseOptions) {
    this.redis = new RedisConnection(options.url, options);
    this.prefix = options.prefix ?? "tessera:once:";
  }

  async claim(key: string, expiresAt: number): Promise<boolean> {
    // PXAT is absolute, so the marker outlives what it guards by no more than clock skew; an already
    // expired marker still gets a millisecond, since PXAT in the past would be refused.
    const at = String(Math.max(expiresAt, Date.now() + 1));
    const reply = await this.redis.send("SET", [this.prefix + key, "1", "NX", "PXAT", at]);
    return reply === "OK";
  }

  ready(): Promise<boolean> {
    return this.redis.ping();
  }

  async close(): Promise<void> {
    this.redis.close();
  }
}
