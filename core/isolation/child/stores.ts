// ctx.limits, ctx.once and ctx.slots across the boundary: the core holds the stores (shared through Redis
// when configured) and prefixes every key with the plugin's name, so these are plain calls.
import type { RateLimiter } from "../../limits/rate-limiter";
import type { SingleUse } from "../../limits/single-use";
import type { Slots } from "../../limits/slots";
import type { Channel } from "../wire/channel";
import type { ClaimParams, ConsumeParams, ConsumeResult, SlotParams } from "../wire/protocol";

const idle = { ready: () => Promise.resolve(true), close: () => Promise.resolve() };

export const wireLimits = (channel: Channel): RateLimiter => ({
  synchronous: false,
  consume: (key, rule, cost) =>
    channel.call("limits.consume", { key, rule, cost } satisfies ConsumeParams) as Promise<ConsumeResult>,
  ...idle,
});

export const wireOnce = (channel: Channel): SingleUse => ({
  claim: (key, expiresAt) => channel.call("once.claim", { key, expiresAt } satisfies ClaimParams) as Promise<boolean>,
  ...idle,
});

/** `release` is fire-and-forget in process too; a failure reaches the plugin's log. */
export const wireSlots = (channel: Channel, log: (error: unknown) => void): Slots => ({
  acquire: (key, max, holder) => channel.call("slots.acquire", { key, max, holder } satisfies SlotParams) as Promise<boolean>,
  release: (key, holder) => {
    channel.call("slots.release", { key, holder } satisfies SlotParams).catch(log);
  },
  ...idle,
});
