// ctx.identityChanges across the boundary: a listener is registered with the core, which forwards each
// change as an `identityChange` notification. Missed changes are the core's to handle (onMissed never
// fires here), and the session table stays in the core (liveSessions is refused).
import type { IdentityChange, IdentityChanges } from "../../identity/identity-changes";
import type { Channel } from "../wire/channel";
import type { IdentityChangeDelivery } from "../wire/protocol";
import { unsupported } from "./unsupported";

export interface WireIdentityChanges {
  changes: IdentityChanges;
  /** The `identityChange` notification's handler. */
  deliver(delivery: IdentityChangeDelivery): void;
}

export const wireIdentityChanges = (channel: Channel, log: (error: unknown) => void): WireIdentityChanges => {
  const listeners = new Map<number, (change: IdentityChange) => void>();
  let next = 1;
  return {
    changes: {
      listen: (listener) => {
        const subscription = next++;
        listeners.set(subscription, listener);
        channel.call("identityChanges.subscribe", { subscription }).catch(log);
        return () => {
          if (listeners.delete(subscription)) channel.call("identityChanges.unsubscribe", { subscription }).catch(log);
        };
      },
      onMissed: () => () => undefined,
      liveSessions: () =>
        Promise.reject(
          unsupported("ctx.identityChanges.liveSessions", "end what a revoked session holds open when its change arrives"),
        ),
    },
    deliver: ({ subscription, change }) => {
      const listener = listeners.get(subscription);
      if (!listener) return;
      try {
        // The core sends what ctx.identityChanges delivers in process.
        listener(change as IdentityChange);
      } catch (error) {
        log(error);
      }
    },
  };
};
