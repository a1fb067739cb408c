// Peers in the federation_peers table: the URL, the pinned public keys, the grants and where the
// connection stands. Keys and grants are JSON text; they are written only by this module. What a
// returning peer changed rides in the grants column's JSON, beside the grants, as `returning`.

import { Type } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { TesseraError } from "tessera/plugin";
import { asc, count, type Database, eq, type Tables } from "tessera/plugin/db";
import { type PublicJwk, PublicJwkSchema } from "../identity/jwk";
import { GrantsSchema, type PeerGrants } from "./grants";

/**
 * requested: we asked them, awaiting their admin; pending: they asked us, awaiting ours; active;
 * suspended: by our admin (we refuse them); remote_suspended: by theirs (we hold our messages);
 * disconnected: by either side, for good until a new request.
 */
export const PEER_STATUSES = ["requested", "pending", "active", "suspended", "remote_suspended", "disconnected"] as const;
export type PeerStatus = (typeof PEER_STATUSES)[number];

/** A known peer that asked to connect again: what it had before, for the administrator who decides. */
export interface Returning {
  previousUrl: string;
  previousStatus: PeerStatus;
  keysChanged: boolean;
}

export interface Peer {
  id: string;
  url: string;
  name: string | null;
  status: PeerStatus;
  keys: PublicJwk[];
  grants: PeerGrants;
  /** Set while a peer that was known before waits for an administrator; cleared on accept. */
  returning?: Returning;
  createdAt: number;
  updatedAt: number;
}

const keysCheck = TypeCompiler.Compile(Type.Array(PublicJwkSchema));
const grantsCheck = TypeCompiler.Compile(GrantsSchema);
const returningCheck = TypeCompiler.Compile(
  Type.Object({
    previousUrl: Type.String(),
    previousStatus: Type.Union(PEER_STATUSES.map((status) => Type.Literal(status))),
    keysChanged: Type.Boolean(),
  }),
);

type Row = Tables["federationPeers"]["$inferSelect"];

const corrupt = (id: string, what: string) => new TesseraError("ERR_INTERNAL", `federation_peers row ${id} has invalid ${what}`);

const toPeer = (row: Row): Peer => {
  const status = PEER_STATUSES.find((known) => known === row.status);
  const keys: unknown = JSON.parse(row.publicKeys ?? "[]");
  const stored: unknown = JSON.parse(row.grants ?? '{"commands":[],"agentTypes":[]}');
  if (typeof stored !== "object" || stored === null) throw corrupt(row.id, "grants");
  const returning = "returning" in stored ? stored.returning : undefined;
  const grants = Object.fromEntries(Object.entries(stored).filter(([key]) => key !== "returning"));
  if (!status) throw corrupt(row.id, "status");
  if (!keysCheck.Check(keys)) throw corrupt(row.id, "public_keys");
  if (!grantsCheck.Check(grants)) throw corrupt(row.id, "grants");
  if (returning !== undefined && !returningCheck.Check(returning)) throw corrupt(row.id, "grants.returning");
  const peer: Peer = {
    id: row.id,
    url: row.url,
    name: row.name,
    status,
    keys,
    grants,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
  return returning === undefined ? peer : { ...peer, returning };
};

const toRow = (peer: Peer): Row => ({
  id: peer.id,
  url: peer.url,
  name: peer.name,
  status: peer.status,
  publicKeys: JSON.stringify(peer.keys),
  grants: JSON.stringify(peer.returning ? { ...peer.grants, returning: peer.returning } : peer.grants),
  createdAt: peer.createdAt,
  updatedAt: peer.updatedAt,
});

export const findPeer = async (db: Database, id: string): Promise<Peer | null> => {
  const [row] = await db.orm.select().from(db.tables.federationPeers).where(eq(db.tables.federationPeers.id, id));
  return row ? toPeer(row) : null;
};

export const listPeers = async (db: Database): Promise<Peer[]> => {
  const rows = await db.orm.select().from(db.tables.federationPeers).orderBy(asc(db.tables.federationPeers.createdAt));
  return rows.map(toPeer);
};

export const countPending = async (db: Database): Promise<number> => {
  const { federationPeers } = db.tables;
  const [row] = await db.orm.select({ n: count() }).from(federationPeers).where(eq(federationPeers.status, "pending"));
  return row?.n ?? 0;
};

/** Inserts or replaces the whole record. */
export const savePeer = async (db: Database, peer: Peer): Promise<Peer> => {
  const row = toRow(peer);
  const { id: _id, createdAt: _createdAt, ...changes } = row;
  await db.orm
    .insert(db.tables.federationPeers)
    .values(row)
    .onConflictDoUpdate({ target: db.tables.federationPeers.id, set: changes });
  return peer;
};

export type PeerChanges = Partial<Pick<Peer, "url" | "name" | "status" | "keys" | "grants">> & {
  /** Null clears it. */
  returning?: Returning | null;
};

export const updatePeer = (db: Database, peer: Peer, changes: PeerChanges): Promise<Peer> => {
  const { returning, ...rest } = changes;
  const { returning: previous, ...base } = peer;
  const next = returning === null ? undefined : (returning ?? previous);
  return savePeer(db, { ...base, ...rest, ...(next ? { returning: next } : {}), updatedAt: Date.now() });
};

export const deletePeer = async (db: Database, id: string): Promise<void> => {
  await db.orm.delete(db.tables.federationPeers).where(eq(db.tables.federationPeers.id, id));
};
