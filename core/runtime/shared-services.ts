// Events and rate limits: in memory for one instance, on Redis when `redis.url` is configured.
import type { CoreConfig } from "../config/core-schema";
import type { EventBus } from "../events/event-bus";
import { MemoryEventBus } from "../events/memory-event-bus";
import { RedisEventBus } from "../events/redis-event-bus";
import { MemoryRateLimiter } from "../limits/memory-limiter";
import type { RateLimiter } from "../limits/rate-limiter";
import { RedisRateLimiter } from "../limits/redis-limiter";
import type { Logger } from "../log/logger";

export interface SharedServices {
  events: EventBus;
  limits: RateLimiter;
}

export const createSharedServices = (config: CoreConfig, log: Logger): SharedServices => {
  const redisUrl = config.redis?.url;
  if (!redisUrl) return { events: new MemoryEventBus({ logger: log }), limits: new MemoryRateLimiter() };
  return {
    events: new RedisEventBus({ url: redisUrl, logger: log.child({ component: "events" }) }),
    limits: new RedisRateLimiter({ url: redisUrl }),
  };
};
