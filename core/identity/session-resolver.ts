// The core's principal resolver: a session token as `Authorization: Bearer tss_…` or the session cookie.
import type { Database } from "../db/open-database";
import { unauthenticated } from "../errors/tessera-error";
import type { PrincipalResolver } from "./auth";
import { bearerToken, cookieValue } from "./credentials";
import { findSessionByToken, SESSION_TOKEN_PREFIX } from "./sessions";
import type { User } from "./types";

export const SESSION_COOKIE = "tessera_session";

export const sessionResolver =
  (db: Database, isAdmin: (user: User) => boolean, touch: (sessionId: string) => void): PrincipalResolver =>
  async (request) => {
    const bearer = bearerToken(request);
    const token = bearer?.startsWith(SESSION_TOKEN_PREFIX) ? bearer : bearer ? null : cookieValue(request, SESSION_COOKIE);
    if (!token) return null;
    const found = await findSessionByToken(db, token);
    if (!found)
      throw unauthenticated("The session is expired, revoked or unknown; sign in again", {
        headers: { "WWW-Authenticate": 'Bearer error="invalid_token"' },
      });
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
