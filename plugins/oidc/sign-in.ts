// The end of a successful callback: the user for (issuer, subject), created on first sign-in with the
// provider's email and name, and a brand-new session. A session the browser held before signing in
// is revoked, never reused, so a session id planted before login is worth nothing after it. Rights
// the provider's groups grant are brought in step first, so the new session already has them.

import type { Logger } from "tessera/plugin";
import type { Database } from "tessera/plugin/db";
import {
  cookieValue,
  createSession,
  findOrCreateUserByIdentity,
  revokeSessionByToken,
  SESSION_COOKIE,
} from "tessera/plugin/identity";
import { syncGroups } from "./groups";
import type { IdTokenClaims } from "./id-token";
import type { ProviderSettings } from "./settings";

export interface SignIn {
  issuer: string;
  /** The provider's linkByEmail policy: whether its verified email may join an existing user. */
  linkByEmail: "verified" | "never";
  claims: IdTokenClaims;
  idToken: string;
  ttlMs: number;
  /** Set for a provider whose groups grant rights: they are brought in step before the session starts. */
  groups?: { settings: ProviderSettings; log: Logger };
}

const endPreviousSession = async (db: Database, request: Request) => {
  const token = cookieValue(request, SESSION_COOKIE);
  if (token) await revokeSessionByToken(db, token);
};

/** Returns the new session's token, for the cookie. */
export const signIn = async (db: Database, request: Request, sign: SignIn): Promise<string> => {
  const { issuer, claims, idToken, ttlMs } = sign;
  const user = await findOrCreateUserByIdentity(db, {
    issuer,
    subject: claims.subject,
    email: claims.email,
    name: claims.name,
    // Any provider can say "verified" about any address: only one the config trusts with that may
    // join an existing user; for the others a taken email is a conflict, never a takeover.
    emailVerified: sign.linkByEmail === "verified" && claims.emailVerified,
  });
  // A provider that sends no groups claim at all is not saying "no groups": rights stay as they are.
  if (sign.groups && claims.groups !== undefined) {
    await syncGroups(db, sign.groups.log, sign.groups.settings, user, claims.groups);
  } else if (sign.groups) {
    sign.groups.log.warn("the provider sent no groups claim; group rights left as they were", {
      provider: sign.groups.settings.id,
      claim: sign.groups.settings.groupsClaim,
    });
  }
  await endPreviousSession(db, request);
  const { token } = await createSession(db, user.id, { ttlMs, issuer, sid: claims.sid ?? null, idToken });
  return token;
};
