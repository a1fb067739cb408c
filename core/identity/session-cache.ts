// The session tokens' credential cache: a session is stale once it is revoked or its user changes.
import { type CredentialCache, type CredentialCacheOptions, createCredentialCache } from "./credential-cache";
import type { LiveSession } from "./sessions";
import type { User } from "./types";

export interface FoundSession {
  session: LiveSession;
  user: User;
}

export type SessionCache = CredentialCache<FoundSession>;

export type SessionCacheOptions = Omit<CredentialCacheOptions<FoundSession>, "expiresAt" | "staleAfter">;

export const createSessionCache = (options: SessionCacheOptions): SessionCache =>
  createCredentialCache({
    ...options,
    expiresAt: (found) => found.session.expiresAt,
    staleAfter: ({ session, user }, { sessionIds, userIds }) => sessionIds.has(session.id) || userIds.has(user.id),
  });
