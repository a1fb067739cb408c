// The HMAC key for tickets. Every instance on one database must share it (a ticket from one is
// redeemed on another), so without a configured secret one is generated once and kept in `kv`.

import { TesseraError } from "tessera/plugin";
import { type Database, eq } from "tessera/plugin/db";

const KV_KEY = "websocket.ticket-secret";

export const loadTicketSecret = async (db: Database, configured: string | undefined): Promise<Uint8Array<ArrayBuffer>> => {
  if (configured !== undefined) return new TextEncoder().encode(configured);
  const { kv } = db.tables;
  const generated = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
  // Instances starting together race here; whichever insert lands first is the key everyone reads back.
  await db.orm.insert(kv).values({ key: KV_KEY, value: generated, expiresAt: null }).onConflictDoNothing();
  const [row] = await db.orm.select({ value: kv.value }).from(kv).where(eq(kv.key, KV_KEY)).limit(1);
  if (!row) throw new TesseraError("ERR_INTERNAL", "The WebSocket ticket secret could not be stored in the kv table");
  return new Uint8Array(Buffer.from(row.value, "base64url"));
};
