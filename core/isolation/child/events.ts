// ctx.events across the boundary: publish and replay are calls; a subscription is registered with the
// core, which delivers its events as `event` notifications. The core's bus owns resync: a plugin's
// onResync listener is kept but never called (the child is not told of gaps).
import type { EventBus, EventListener, ReplayResult, WorkspaceEvent } from "../../events/event-bus";
import type { Channel } from "../wire/channel";
import type { EventDelivery, PublishParams, ReplayParams, SubscribeParams } from "../wire/protocol";

export interface WireEvents {
  bus: EventBus;
  /** The `event` notification's handler. */
  deliver(delivery: EventDelivery): void;
}

export const wireEvents = (channel: Channel, log: (error: unknown) => void): WireEvents => {
  const listeners = new Map<number, EventListener>();
  let next = 1;
  const subscribe = (workspaceId: string | null, listener: EventListener) => {
    const subscription = next++;
    listeners.set(subscription, listener);
    channel.call("events.subscribe", { subscription, workspaceId } satisfies SubscribeParams).catch(log);
    return () => {
      if (!listeners.delete(subscription)) return;
      channel.call("events.unsubscribe", { subscription, workspaceId } satisfies SubscribeParams).catch(log);
    };
  };
  const bus: EventBus = {
    publish: (workspaceId, event, data) =>
      channel.call("events.publish", { workspaceId, event, data } satisfies PublishParams) as Promise<WorkspaceEvent>,
    subscribe: (workspaceId, listener) => subscribe(workspaceId, listener),
    subscribeAll: (listener) => subscribe(null, listener),
    replay: (workspaceId, since, limit) =>
      channel.call("events.replay", { workspaceId, since, limit } satisfies ReplayParams) as Promise<ReplayResult>,
    onResync: () => () => undefined,
    ready: () => Promise.resolve(true),
    close: () => Promise.resolve(),
  };
  return {
    bus,
    deliver: ({ subscription, event }) => {
      const listener = listeners.get(subscription);
      if (!listener) return;
      try {
        listener(event);
      } catch (error) {
        log(error);
      }
    },
  };
};
