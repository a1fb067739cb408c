// What a federated sign-in keeps between its two requests, and for how long, in the kv table (shared
// by every process on the database): the sign-in started here (taken once, by its state) and the
// jtis of assertions accepted (so each works once).
import { createHash } from "node:crypto";
import { and, eq, gt } from "drizzle-orm";
import type { Database } from "../../../core/db/database";
import { markerKey, purgeExpired, recordOnce } from "../../../core/db/kv-markers";

const PREFIX = "fed-sign-in:";
export const FLOW_TTL_MS = 10 * 60_000;

export interface PendingSignIn {
  peerId: string;
  /** SHA-256 of the browser's cookie secret: what the assertion must carry. */
  nonce: string;
  returnTo: string;
}

/** The nonce for a cookie secret: only the browser holds the secret; URLs carry the hash. */
export const nonceOf = (secret: string): string => createHash("sha256").update(secret).digest("base64url");

export const savePendingSignIn = async (db: Database, state: string, pending: PendingSignIn): Promise<void> => {
  await db.orm
    .insert(db.tables.kv)
    .values({ key: `${PREFIX}flow:${state}`, value: JSON.stringify(pending), expiresAt: Date.now() + FLOW_TTL_MS });
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
    .where(and(eq(kv.key, `${PREFIX}flow:${state}`), gt(kv.expiresAt, Date.now())))
    .returning({ value: kv.value });
  if (!row) return null;
  const value: unknown = JSON.parse(row.value);
  return isPending(value) ? value : null;
};

/** False when this issuer's jti was accepted before (and could still verify): a replay. */
export const claimAssertion = (db: Database, issuer: string, jti: string, expiresAt: number): Promise<boolean> =>
  recordOnce(db, markerKey(PREFIX, "jti", issuer, jti), expiresAt);

export const purgeExpiredSignIns = (db: Database): Promise<void> => purgeExpired(db, PREFIX);
