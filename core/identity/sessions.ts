// Sessions: created at sign-in, resolved from the bearer token on every authenticated request,
// revoked at sign-out or by the identity provider (back-channel logout). A token is 256 random
// bits with a recognisable prefix (secret scanners, log redaction); the database keeps only its
// SHA-256, so a leaked table can't be replayed.
import { and, DrizzleQueryError, desc, eq, gt, isNull, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/database";
import { preparedPer } from "../db/prepared";
import type { Tables } from "../db/schema/tables";
import { badRequest, forbidden, notFound, TesseraError } from "../errors/tessera-error";
import { identityChanged } from "./identity-changes";
import type { Session, User } from "./types";
import { findUserById, isUserEnabled, userColumns } from "./users";

export const SESSION_TOKEN_PREFIX = "tss_";
// 32 bytes are 43 base64url characters.
const TOKEN_LENGTH = SESSION_TOKEN_PREFIX.length + 43;

const generateSessionToken = (): string =>
  SESSION_TOKEN_PREFIX + Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");

/** Lower-case hex SHA-256 of the whole token, prefix included. */
// Every authenticated request hashes its token, so with the cheapest hash Bun has: the one-shot SHA-256,
// cheaper than a reused Bun.CryptoHasher or a node:crypto Hash (figures in docs/benchmarks.md).
export const hashSessionToken = (token: string): string => Bun.SHA256.hash(token, "hex");

/** Cheap shape check, so garbage never reaches the database. */
const looksLikeSessionToken = (token: string): boolean => token.length === TOKEN_LENGTH && token.startsWith(SESSION_TOKEN_PREFIX);

/** The columns that make a `Session`; the token hash stays in the database. */
const sessionColumns = ({ sessions }: Tables) => ({
  id: sessions.id,
  userId: sessions.userId,
  expiresAt: sessions.expiresAt,
  createdAt: sessions.createdAt,
  lastSeenAt: sessions.lastSeenAt,
  revokedAt: sessions.revokedAt,
  issuer: sessions.issuer,
  sid: sessions.sid,
  idToken: sessions.idToken,
});

export interface NewSession {
  ttlMs: number;
  issuer?: string | null;
  sid?: string | null;
  idToken?: string | null;
}

/** Returns the bearer token (shown once, to the client) and the stored session. */
export const createSession = async (
  db: Database,
  userId: string,
  { ttlMs, issuer = null, sid = null, idToken = null }: NewSession,
): Promise<{ token: string; session: Session }> => {
  // Every sign-in path (a provider, a peer, the CLI) ends here: a disabled user gets no session.
  if (!(await isUserEnabled(db, userId))) {
    if (await findUserById(db, userId)) throw forbidden("This account is disabled", { path: userId });
    throw notFound("No such user", { path: userId });
  }
  const token = generateSessionToken();
  const now = Date.now();
  let session: Session | undefined;
  try {
    [session] = await db.orm
      .insert(db.tables.sessions)
      .values({
        id: crypto.randomUUID(),
        tokenHash: hashSessionToken(token),
        userId,
        expiresAt: now + ttlMs,
        createdAt: now,
        lastSeenAt: now,
        issuer,
        sid,
        idToken,
      })
      .returning(sessionColumns(db.tables));
  } catch (error) {
    if (!(await findUserById(db, userId))) throw notFound("No such user", { path: userId });
    // drizzle's message lists the query's parameters, the ID token among them: keep only the driver's error.
    throw new TesseraError("ERR_INTERNAL", "Storing the session failed", {
      cause: error instanceof DrizzleQueryError ? error.cause : error,
    });
  }
  if (!session) throw new TesseraError("ERR_INTERNAL", "Inserting a session returned no row");
  return { token, session };
};

/** What authenticating a request needs of a session; drizzle's per-column mapping makes every extra column cost. */
export type LiveSession = Pick<Session, "id" | "userId" | "expiresAt">;

const liveSessionColumns = ({ sessions }: Tables) => ({
  id: sessions.id,
  userId: sessions.userId,
  expiresAt: sessions.expiresAt,
});

// One indexed lookup (unique token_hash) joined to the user, prepared once per database.
const findSession = preparedPer((db: Database) => {
  const { sessions, users } = db.tables;
  return (
    db.orm
      .select({ session: liveSessionColumns(db.tables), user: userColumns(db.tables) })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(
        and(
          eq(sessions.tokenHash, sql.placeholder("tokenHash")),
          isNull(sessions.revokedAt),
          gt(sessions.expiresAt, sql.placeholder("now")),
          // A session created just as its user was disabled outlives the revocation that missed it: refuse it here.
          isNull(users.disabledAt),
        ),
      )
      // No .limit(1): token_hash is unique, and drizzle binds the limit as a parameter, which costs
      // bun:sqlite several times the lookup itself.
      .prepare("tessera_find_session_by_token")
  );
});

/** The live session a bearer token names, with its user; null when unknown, expired or revoked. */
export const findSessionByToken = async (
  db: Database,
  token: string,
  now: number = Date.now(),
): Promise<{ session: LiveSession; user: User } | null> => {
  if (!looksLikeSessionToken(token)) return null;
  const [row] = await findSession(db).execute({ tokenHash: hashSessionToken(token), now });
  return row ?? null;
};

/** Revokes one session; false when it was unknown or already revoked. */
export const revokeSession = async (db: Database, id: string): Promise<boolean> => {
  const { sessions } = db.tables;
  const revoked = await db.orm
    .update(sessions)
    .set({ revokedAt: Date.now() })
    .where(and(eq(sessions.id, id), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  await identityChanged(db, { sessionIds: revoked.map((row) => row.id) });
  return revoked.length > 0;
};

/**
 * Revokes the live session a token names, in one statement, and returns it as it was (sign-out
 * needs its issuer and ID token for the provider); null when the token names no live session.
 */
export const revokeSessionByToken = async (db: Database, token: string, now: number = Date.now()): Promise<Session | null> => {
  if (!looksLikeSessionToken(token)) return null;
  const { sessions } = db.tables;
  const [session] = await db.orm
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.tokenHash, hashSessionToken(token)), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
    .returning(sessionColumns(db.tables));
  if (session) await identityChanged(db, { sessionIds: [session.id] });
  return session ?? null;
};

export interface SessionFilter {
  userId?: string;
  issuer?: string;
  sid?: string;
}

/** Revokes the live sessions matching every given field (sign out everywhere, back-channel logout); returns how many. */
export const revokeSessionsWhere = async (db: Database, filter: SessionFilter): Promise<number> => {
  const { sessions } = db.tables;
  const conditions: SQL[] = [];
  if (filter.userId !== undefined) conditions.push(eq(sessions.userId, filter.userId));
  if (filter.issuer !== undefined) conditions.push(eq(sessions.issuer, filter.issuer));
  if (filter.sid !== undefined) conditions.push(eq(sessions.sid, filter.sid));
  // An empty filter would sign out everyone: refuse it rather than guess.
  if (conditions.length === 0) throw badRequest("revokeSessionsWhere needs userId, issuer or sid");
  const revoked = await db.orm
    .update(sessions)
    .set({ revokedAt: Date.now() })
    .where(and(isNull(sessions.revokedAt), ...conditions))
    .returning({ id: sessions.id });
  await identityChanged(db, { sessionIds: revoked.map((row) => row.id) });
  return revoked.length;
};

/** A session as an operator sees it (`tessera sessions list`): never its token or ID token. */
export interface SessionRecord {
  id: string;
  userId: string;
  email: string | null;
  issuer: string | null;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

/** Live sessions (not revoked, not expired), newest first; of one user when `userId` is given. */
export const listLiveSessions = (db: Database, filter: { userId?: string } = {}, now = Date.now()): Promise<SessionRecord[]> => {
  const { sessions, users } = db.tables;
  return db.orm
    .select({
      id: sessions.id,
      userId: sessions.userId,
      email: users.email,
      issuer: sessions.issuer,
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
      expiresAt: sessions.expiresAt,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(
      and(
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, now),
        ...(filter.userId === undefined ? [] : [eq(sessions.userId, filter.userId)]),
      ),
    )
    .orderBy(desc(sessions.createdAt), desc(sessions.id));
};
