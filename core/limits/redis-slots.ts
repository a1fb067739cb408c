// Concurrency slots shared by every instance. A key is a sorted set of holders scored by the end of
// their lease; each instance renews the leases of the holders it has, so a crashed instance's slots
// free themselves within one lease and a Redis restart (which forgets everything) is repaired by the
// next renewal. Acquiring on an unreachable Redis rejects (ERR_UNAVAILABLE): the caller fails closed.
import { RedisConnection, type RedisConnectionOptions } from "../redis/connection";
import { defineScript } from "../redis/script";
import type { Slots } from "./slots";

// KEYS[1] the key; ARGV[1] max, ARGV[2] lease (ms), ARGV[3] holder. Server time, so clocks may differ.
const ACQUIRE = defineScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`);

// KEYS[1] the key; ARGV[1] lease (ms), ARGV[2…] holders. Plain ZADD, not XX: it re-adds what a
// restarted Redis lost.
const RENEW = defineScript(`
local t = redis.call('TIME')
local lease = tonumber(ARGV[1])
local expiry = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + lease
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], expiry, ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], lease)
return #ARGV - 1
`);

export interface RedisSlotsOptions extends RedisConnectionOptions {
  url: string;
  /** Key namespace; tests use a unique one per run. */
  prefix?: string;
  /** How long a holder counts without renewal; renewed every third of it. */
  leaseMs?: number;
  /** A release or renewal that failed; the lease bounds the harm, but the operator should know. */
  onError?: (error: unknown) => void;
}

export class RedisSlots implements Slots {
  private readonly redis: RedisConnection;
  private readonly prefix: string;
  private readonly leaseMs: number;
  private readonly onError: (error: unknown) => void;
  /** The holders this instance has, by key, for renewal. */
  private readonly held = new Map<string, Set<string>>();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(options: RedisSlotsOptions) {
    this.redis = new RedisConnection(options.url, options);
    this.prefix = options.prefix ?? "tessera:slots:";
    this.leaseMs = options.leaseMs ?? 30_000;
    this.onError = options.onError ?? (() => {});
    this.timer = setInterval(() => void this.renew(), Math.max(10, Math.floor(this.leaseMs / 3)));
    this.timer.unref();
  }

  async acquire(key: string, max: number, holder: string): Promise<boolean> {
    const reply = await this.redis.eval(ACQUIRE, [this.prefix + key], [String(max), String(this.leaseMs), holder]);
    if (reply !== 1) return false;
    const holders = this.held.get(key);
    if (holders) holders.add(holder);
    else this.held.set(key, new Set([holder]));
    return true;
  }

  release(key: string, holder: string): void {
    const holders = this.held.get(key);
    if (!holders?.delete(holder)) return;
    if (holders.size === 0) this.held.delete(key);
    this.redis.send("ZREM", [this.prefix + key, holder]).catch(this.onError);
  }

  /** Extends every lease this instance holds; runs on a timer, exposed for tests. */
  async renew(): Promise<void> {
    const work = [...this.held].map(([key, holders]) =>
      this.redis.eval(RENEW, [this.prefix + key], [String(this.leaseMs), ...holders]),
    );
    // One report per round, not one per key: an outage would otherwise log every user.
    const failed = (await Promise.allSettled(work)).find((result) => result.status === "rejected");
    if (failed?.status === "rejected") this.onError(failed.reason);
  }

  ready(): Promise<boolean> {
    return this.redis.ping();
  }

  /**
   * Gives back every slot this instance holds, so clients reconnecting elsewhere during a rolling
   * restart are not refused for a lease's length by sockets that no longer exist.
   */
  async close(): Promise<void> {
    clearInterval(this.timer);
    const work = [...this.held].map(([key, holders]) => this.redis.send("ZREM", [this.prefix + key, ...holders]));
    this.held.clear();
    const failed = (await Promise.allSettled(work)).find((result) => result.status === "rejected");
    if (failed?.status === "rejected") this.onError(failed.reason);
    this.redis.close();
  }
}
