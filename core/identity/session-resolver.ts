// The core's principal resolver: a session token as `Authorization: Bearer tss_…` or the session cookie.
import { andThen } from "../async/maybe-promise";
import { unauthenticated } from "../errors/tessera-error";
import type { PrincipalResolver, UserPrincipal } from "./auth";
import { bearerToken, cookieValue } from "./credentials";
import type { FoundSession } from "./session-cache";
import { SESSION_TOKEN_PREFIX } from "./sessions";
import type { User } from "./types";

export const SESSION_COOKIE = "tessera_session";

const invalidSession = () =>
  unauthenticated("The session is expired, revoked or unknown; sign in again", {
    headers: { "WWW-Authenticate": 'Bearer error="invalid_token"' },
  });

export const sessionResolver = (
  find: (token: string) => FoundSession | null | Promise<FoundSession | null>,
  isAdmin: (user: User) => boolean,
  touch: (sessionId: string) => void,
): PrincipalResolver => {
  const toPrincipal = (found: FoundSession | null): UserPrincipal => {
    if (!found) throw invalidSession();
    touch(found.session.id);
    return {
      kind: "user",
      user: found.user,
      isAdmin: isAdmin(found.user),
      sessionId: found.session.id,
      expiresAt: found.session.expiresAt,
      via: "session",
    };
  };
  // Synchronous when the session cache answers, so a cached request costs no promise here.
  return (request) => {
    const bearer = bearerToken(request);
    const token = bearer?.startsWith(SESSION_TOKEN_PREFIX) ? bearer : bearer ? null : cookieValue(request, SESSION_COOKIE);
    if (!token) return null;
    const found = find(token);
    return andThen(found, toPrincipal);
  };
};
