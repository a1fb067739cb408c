// `limits.consume`, `once.claim`, `slots.acquire`, `slots.release` on the core's shared state, every key
// prefixed with `plugin:<name>:` so that a plugin reaches only its own counters, never the core's or
// another plugin's.
import { Type } from "@sinclair/typebox";
import type { RateLimiter } from "../../limits/rate-limiter";
import type { SingleUse } from "../../limits/single-use";
import type { Slots } from "../../limits/slots";
import type { Channel } from "../wire/channel";
import { paramsOf } from "./params";

const Key = Type.String({ minLength: 1, maxLength: 1000 });
const consumeParams = paramsOf(
  "limits.consume",
  Type.Object({
    key: Key,
    rule: Type.Object({
      limit: Type.Number({ exclusiveMinimum: 0 }),
      windowMs: Type.Number({ exclusiveMinimum: 0 }),
      burst: Type.Optional(Type.Number({ minimum: 0 })),
    }),
    cost: Type.Optional(Type.Number({ minimum: 0 })),
  }),
);
const claimParams = paramsOf("once.claim", Type.Object({ key: Key, expiresAt: Type.Number() }));
const acquireParams = paramsOf(
  "slots.acquire",
  Type.Object({ key: Key, max: Type.Integer({ minimum: 1 }), holder: Type.String({ minLength: 1, maxLength: 200 }) }),
);
const releaseParams = paramsOf("slots.release", Type.Object({ key: Key, holder: Type.String({ minLength: 1, maxLength: 200 }) }));

/** The key a plugin's own key is stored under. */
export const pluginKey = (plugin: string, key: string): string => `plugin:${plugin}:${key}`;

export interface LimitServices {
  limits: RateLimiter;
  once: SingleUse;
  slots: Slots;
}

export const serveLimits = (channel: Channel, plugin: string, { limits, once, slots }: LimitServices): void => {
  channel.handle("limits.consume", (params) => {
    const { key, rule, cost } = consumeParams(params);
    return limits.consume(pluginKey(plugin, key), rule, cost);
  });
  channel.handle("once.claim", (params) => {
    const { key, expiresAt } = claimParams(params);
    return once.claim(pluginKey(plugin, key), expiresAt);
  });
  channel.handle("slots.acquire", (params) => {
    const { key, max, holder } = acquireParams(params);
    return slots.acquire(pluginKey(plugin, key), max, holder);
  });
  channel.handle("slots.release", (params) => {
    const { key, holder } = releaseParams(params);
    slots.release(pluginKey(plugin, key), holder);
    return null;
  });
};
