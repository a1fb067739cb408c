// Admins named by identity in config are users only once that identity has signed in. Their ids are
// looked up again whenever a user changes (a first sign-in links an identity and announces its user):
// awaited for changes made here, so the new admin's first request already counts; through Redis for
// changes made on other instances.
import type { Logger } from "../log/logger";
import type { Auth } from "./auth";
import { type IdentityChange, type IdentityChanges, onIdentityChange } from "./identity-changes";

export const refreshAdminsOnChange = (
  db: object,
  everywhere: IdentityChanges,
  auth: Pick<Auth, "refreshAdmins">,
  log: Logger,
): (() => Promise<void>) => {
  const refresh = (change: IdentityChange): Promise<void> | undefined =>
    change.userIds?.length
      ? auth.refreshAdmins().catch((error: unknown) => log.error("resolving admins named by identity failed", { error }))
      : undefined;
  const unlistenHere = onIdentityChange(db, refresh);
  // Also hears this instance's own changes: one more lookup of a few identities, only when a user changed.
  const unlistenEverywhere = everywhere.listen((change) => void refresh(change));
  return async () => {
    unlistenHere();
    unlistenEverywhere();
  };
};
