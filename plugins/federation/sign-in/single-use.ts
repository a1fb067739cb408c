// What a federated sign-in keeps between its two requests, and for how long, in the kv table (shared
// by every process on the database): the sign-in started here (taken once, by its state) and the
// jtis of assertions accepted (so each works once).
import { createHash } from "node:crypto";
import { TesseraError } from "tessera/plugin";
import { and, countMarkers, type Database, eq, gt, markerKey, purgeExpired, recordOnce } from "tessera/plugin/db";

const PREFIX = "fed-sign-in:";
const FLOW_PREFIX = `${PREFIX}flow:`;
export const FLOW_TTL_MS = 10 * 60_000;
// A full store frees up as sign-ins complete or expire; a browser retrying after this is likely let in.
const FULL_RETRY_AFTER_S = "60";

export interface PendingSignIn {
  peerId: string;
  /** SHA-256 of the browser's cookie secret: what the assertion must carry. */
  nonce: string;
  returnTo: string;
}

/** The nonce for a cookie secret: only the browser holds the secret; URLs carry the hash. */
export const nonceOf = (secret: string): string => createHash("sha256").update(secret).digest("base64url");

/**
 * Keeps a started sign-in until it completes or expires. Past `max` rows (expired ones count until they
 * are purged) it refuses with 429: anyone may start a sign-in, so the store must not grow with a flood.
 */
export const savePendingSignIn = async (db: Database, state: string, pending: PendingSignIn, max: number): Promise<void> => {
  if ((await countMarkers(db, FLOW_PREFIX)) >= max) {
    await purgeExpired(db, FLOW_PREFIX);
    if ((await countMarkers(db, FLOW_PREFIX)) >= max) {
      throw new TesseraError("ERR_RATE_LIMITED", "Too many federated sign-ins are in progress here; try again shortly", {
        status: 429,
        headers: { "Retry-After": FULL_RETRY_AFTER_S },
        details: { retryAfterSeconds: Number(FULL_RETRY_AFTER_S) },
      });
    }
  }
  await db.orm
    .insert(db.tables.kv)
    .values({ key: `${FLOW_PREFIX}${state}`, value: JSON.stringify(pending), expiresAt: Date.now() + FLOW_TTL_MS });
};

const isPending = (value: unknown): value is PendingSignIn =>
  typeof value === "object" &&
  value !== null &&
  "peerId" in value &&
  typeof value.peerId === "string" &&
  "nonce" in value &&
  typeof value.nonce === "string" &&
  "returnTo" in value &&
  typeof value.returnTo === "string";

/** The sign-in started with this state, removed as it is read: a second callback finds nothing. */
export const takePendingSignIn = async (db: Database, state: string): Promise<PendingSignIn | null> => {
  const { kv } = db.tables;
  const [row] = await db.orm
    .delete(kv)
    .where(and(eq(kv.key, `${FLOW_PREFIX}${state}`), gt(kv.expiresAt, Date.now())))
    .returning({ value: kv.value });
  if (!row) return null;
  const value: unknown = JSON.parse(row.value);
  return isPending(value) ? value : null;
};

/** False when this issuer's jti was accepted before (and could still verify): a replay. */
export const claimAssertion = (db: Database, issuer: string, jti: string, expiresAt: number): Promise<boolean> =>
  recordOnce(db, markerKey(PREFIX, "jti", issuer, jti), expiresAt);

export const purgeExpiredSignIns = (db: Database): Promise<void> => purgeExpired(db, PREFIX);
