// The inbox's view of peers: status, grants and imported public keys, held in memory so verifying a
// message costs no database read. Entries are re-read after a few seconds, so changes made by another
// process sharing the database (the CLI, a second instance) show up; this process's own changes go
// through `put` and apply at once.
import type { Database } from "tessera/plugin/db";
import { importPublicKey, keyValid } from "../identity/jwk";
import { nowSeconds } from "../wire/constants";
import { findPeer, type Peer } from "./peer-store";

export interface PinnedKey {
  key: CryptoKey;
  notAfter?: number;
}

export interface PeerEntry {
  peer: Peer;
  keys: Map<string, PinnedKey>;
}

const TTL_MS = 5000;
// Unknown ids are remembered briefly so garbage `iss` values can't each cost a query; bounded.
const MAX_MISSING = 1024;

export class PeerCache {
  private readonly entries = new Map<string, { entry: PeerEntry; loadedAt: number }>();
  private readonly missing = new Map<string, number>();
  // A kid is its key's thumbprint, so an imported key can be reused under its kid for good.
  private readonly imported = new Map<string, CryptoKey>();

  constructor(private readonly db: Database) {}

  async get(id: string): Promise<PeerEntry | null> {
    const now = Date.now();
    const hit = this.entries.get(id);
    if (hit && now - hit.loadedAt < TTL_MS) return hit.entry;
    const missingUntil = this.missing.get(id);
    if (missingUntil !== undefined && missingUntil > now) return null;
    const peer = await findPeer(this.db, id);
    if (peer) return this.put(peer);
    this.entries.delete(id);
    if (this.missing.size >= MAX_MISSING) this.missing.clear();
    this.missing.set(id, now + TTL_MS);
    return null;
  }

  /** Records a peer as written by this process; returns its entry. */
  async put(peer: Peer): Promise<PeerEntry> {
    const entry = await this.entryOf(peer);
    this.missing.delete(peer.id);
    this.entries.set(peer.id, { entry, loadedAt: Date.now() });
    return entry;
  }

  /** After the peer's row was removed. */
  forget(id: string): void {
    this.entries.delete(id);
  }

  // Keys past their notAfter are left out, so they stop verifying without anyone removing them.
  private async entryOf(peer: Peer): Promise<PeerEntry> {
    const keys = new Map<string, PinnedKey>();
    const now = nowSeconds();
    for (const jwk of peer.keys) {
      if (!keyValid(jwk.notAfter, now)) continue;
      let key = this.imported.get(jwk.kid);
      if (!key) {
        key = await importPublicKey(jwk);
        this.imported.set(jwk.kid, key);
      }
      keys.set(jwk.kid, jwk.notAfter === undefined ? { key } : { key, notAfter: jwk.notAfter });
    }
    return { peer, keys };
  }
}
