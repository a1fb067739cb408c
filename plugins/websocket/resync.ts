// What this instance missed while its Redis subscribers were away — events (a member.removed among them)
// and identity changes (revocations) — is lost for good when Redis restarted empty. When either
// subscriber is back, open sockets and streams are checked again against the database: sessions no
// longer live are closed (4401), members no longer in a workspace unsubscribed, and subscribers of a
// workspace whose events could not be replayed told of the gap.
import type { EventBus, Logger } from "tessera/plugin";
import type { IdentityChanges } from "tessera/plugin/identity";
import type { Hub } from "./hub";
import type { Revocations } from "./revocation";

export interface ResyncOptions {
  events: Pick<EventBus, "onResync">;
  identityChanges: Pick<IdentityChanges, "onMissed" | "liveSessions">;
  hub: Pick<Hub, "announceGaps" | "recheckMembers">;
  revocations: Pick<Revocations, "recheck">;
  log: Logger;
}

export const resyncOnReconnect = ({ events, identityChanges, hub, revocations, log }: ResyncOptions): (() => void) => {
  const recheck = async () => {
    const results = await Promise.allSettled([
      revocations.recheck((sessionIds) => identityChanges.liveSessions(sessionIds)),
      hub.recheckMembers(),
    ]);
    for (const result of results) {
      if (result.status === "rejected")
        log.error("re-checking open connections after Redis came back failed", { error: result.reason });
    }
  };
  const stopEvents = events.onResync((gaps) => {
    hub.announceGaps(gaps);
    void recheck();
  });
  const stopIdentity = identityChanges.onMissed(() => void recheck());
  return () => {
    stopEvents();
    stopIdentity();
  };
};
