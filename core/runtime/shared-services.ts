// Events, rate limits, single-use markers and concurrency slots: in memory for one instance, on Redis
// when `redis.url` is configured, so that every instance sharing it sees the same state.
import type { CoreConfig } from "../config/core-schema";
import type { EventBus } from "../events/event-bus";
import { MemoryEventBus } from "../events/memory-event-bus";
import { RedisEventBus } from "../events/redis-event-bus";
import { MemoryRateLimiter } from "../limits/memory-limiter";
import type { RateLimiter } from "../limits/rate-limiter";
import { RedisRateLimiter } from "../limits/redis-limiter";
import { RedisSingleUse } from "../limits/redis-single-use";
import { RedisSlots } from "../limits/redis-slots";
import { MemorySingleUse, type SingleUse } from "../limits/single-use";
import { MemorySlots, type Slots } from "../limits/slots";
import type { Logger } from "../log/logger";

export interface SharedServices {
  events: EventBus;
  limits: RateLimiter;
  once: SingleUse;
  slots: Slots;
}

export const createSharedServices = (config: CoreConfig, log: Logger): SharedServices => {
  if (!config.redis) {
    return {
      events: new MemoryEventBus({ logger: log }),
      limits: new MemoryRateLimiter(),
      once: new MemorySingleUse(),
      slots: new MemorySlots(),
    };
  }
  const { url, prefix } = config.redis;
  return {
    events: new RedisEventBus({ url, prefix: `${prefix}ev:`, logger: log.child({ component: "events" }) }),
    limits: new RedisRateLimiter({ url, prefix: `${prefix}rl:` }),
    once: new RedisSingleUse({ url, prefix: `${prefix}once:` }),
    slots: new RedisSlots({
      url,
      prefix: `${prefix}slots:`,
      onError: (error) => log.warn("renewing or releasing concurrency slots in Redis failed", { error }),
    }),
  };
};
