// This instance's federation id: generated on first start, stored, and never changed, so peers can pin it.
import type { Database } from "tessera/plugin/db";
import { readOrCreateKv } from "./kv";

export const loadInstanceId = (db: Database): Promise<string> =>
  readOrCreateKv(db, "federation:instance-id", async () => crypto.randomUUID());
