// `events.*`: publish, subscribe (deliveries go back as `event` notifications), unsubscribe and replay on
// the core's event bus. Every subscription a child made ends with it.
import { Type } from "@sinclair/typebox";
import type { EventBus } from "../../events/event-bus";
import type { Channel } from "../wire/channel";
import { paramsOf, protocolError } from "./params";

const WorkspaceId = Type.String({ minLength: 1, maxLength: 200 });
const publishParams = paramsOf(
  "events.publish",
  Type.Object({ workspaceId: WorkspaceId, event: Type.String({ minLength: 1, maxLength: 200 }), data: Type.Unknown() }),
);
const subscribeParams = paramsOf(
  "events.subscribe",
  Type.Object({ subscription: Type.Integer({ minimum: 0 }), workspaceId: Type.Union([WorkspaceId, Type.Null()]) }),
);
const unsubscribeParams = paramsOf("events.unsubscribe", Type.Object({ subscription: Type.Integer({ minimum: 0 }) }));
const replayParams = paramsOf(
  "events.replay",
  Type.Object({
    workspaceId: WorkspaceId,
    since: Type.String({ maxLength: 100 }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  }),
);

/** Serves the calls; the returned function drops every subscription (the child ended). */
export const serveEvents = (channel: Channel, events: EventBus): (() => void) => {
  const subscriptions = new Map<number, () => void>();
  channel.handle("events.publish", (params) => {
    const { workspaceId, event, data } = publishParams(params);
    return events.publish(workspaceId, event, data);
  });
  channel.handle("events.subscribe", (params) => {
    const { subscription, workspaceId } = subscribeParams(params);
    if (subscriptions.has(subscription)) throw protocolError(`events.subscribe: subscription ${subscription} exists`);
    const deliver = (event: unknown) => channel.notify("event", { subscription, event });
    subscriptions.set(subscription, workspaceId === null ? events.subscribeAll(deliver) : events.subscribe(workspaceId, deliver));
    return null;
  });
  channel.handle("events.unsubscribe", (params) => {
    const { subscription } = unsubscribeParams(params);
    subscriptions.get(subscription)?.();
    subscriptions.delete(subscription);
    return null;
  });
  channel.handle("events.replay", (params) => {
    const { workspaceId, since, limit } = replayParams(params);
    return events.replay(workspaceId, since, limit);
  });
  return () => {
    for (const unsubscribe of subscriptions.values()) unsubscribe();
    subscriptions.clear();
  };
};
