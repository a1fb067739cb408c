// `identityChanges.subscribe` / `unsubscribe`: the core's identity changes delivered to the child as
// `identityChange` notifications; every listener a child added ends with it.
import { Type } from "@sinclair/typebox";
import type { IdentityChanges } from "../../identity/identity-changes";
import type { Channel } from "../wire/channel";
import { paramsOf, protocolError } from "./params";

const Subscription = Type.Object({ subscription: Type.Integer({ minimum: 0 }) });
const subscribeParams = paramsOf("identityChanges.subscribe", Subscription);
const unsubscribeParams = paramsOf("identityChanges.unsubscribe", Subscription);

export const serveIdentityChanges = (channel: Channel, changes: IdentityChanges): (() => void) => {
  const listeners = new Map<number, () => void>();
  channel.handle("identityChanges.subscribe", (params) => {
    const { subscription } = subscribeParams(params);
    if (listeners.has(subscription)) throw protocolError(`identityChanges.subscribe: subscription ${subscription} exists`);
    listeners.set(
      subscription,
      changes.listen((change) => channel.notify("identityChange", { subscription, change })),
    );
    return null;
  });
  channel.handle("identityChanges.unsubscribe", (params) => {
    const { subscription } = unsubscribeParams(params);
    listeners.get(subscription)?.();
    listeners.delete(subscription);
    return null;
  });
  return () => {
    for (const stop of listeners.values()) stop();
    listeners.clear();
  };
};
