// The one timer a socket holds: its authentication deadline, then its credential's expiry. Both end
// the socket with 4401. Module-level callbacks with the connection as argument: no closure per socket.
import type { Connection } from "./connection";
import { CLOSE } from "./protocol";

// setTimeout fires at once for delays past 2^31-1 ms (~24.8 days); longer waits are re-armed.
const MAX_DELAY_MS = 2_147_483_647;

const authTimedOut = (connection: Connection): void => {
  connection.timer = undefined;
  if (connection.userId !== undefined) return;
  connection.error("auth_timeout", 'Not authenticated in time: send {"type":"auth","token":…} first');
  connection.end(CLOSE.UNAUTHENTICATED, "authentication timed out");
};

const expired = (connection: Connection): void => {
  connection.timer = undefined;
  const expiresAt = connection.expiresAt;
  if (expiresAt === undefined) return;
  if (Date.now() < expiresAt) {
    armExpiry(connection);
    return;
  }
  connection.error("token_expired", "The credential expired; authenticate again");
  connection.end(CLOSE.UNAUTHENTICATED, "credential expired");
};

export const clearDeadline = (connection: Connection): void => {
  if (connection.timer !== undefined) clearTimeout(connection.timer);
  connection.timer = undefined;
};

export const armAuthDeadline = (connection: Connection, timeoutMs: number): void => {
  clearDeadline(connection);
  connection.timer = setTimeout(authTimedOut, timeoutMs, connection);
};

/** Replaces the auth deadline (or an older expiry) with the current credential's expiry. */
export const armExpiry = (connection: Connection): void => {
  clearDeadline(connection);
  const expiresAt = connection.expiresAt;
  if (expiresAt === undefined) return;
  connection.timer = setTimeout(expired, Math.min(Math.max(0, expiresAt - Date.now()), MAX_DELAY_MS), connection);
};
