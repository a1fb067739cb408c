// The outbox: in order per peer, retried with backoff, dead-lettered after the configured attempts,
// held while the peer is not active, and reloaded after a restart.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import type { Database } from "../../../core/db/database";
import { migrate } from "../../../core/db/migrate";
import { openDatabase } from "../../../core/db/open-database";
import { createLogger } from "../../../core/log/json-logger";
import { fedError } from "../../../plugins/federation/errors";
import { Outbox, type OutboxDeps } from "../../../plugins/federation/outbox/outbox";
import { noGrants } from "../../../plugins/federation/peers/grants";
import { PeerCache } from "../../../plugins/federation/peers/peer-cache";
import { type PeerStatus, savePeer } from "../../../plugins/federation/peers/peer-store";
import { makeKey } from "./support/fake-peer";

const until = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 200 && !check(); i++) await Bun.sleep(10);
  if (!check()) throw new Error(`timed out waiting for ${what}`);
};

describe("the outbox", () => {
  let db: Database;
  let peers: PeerCache;
  const sent: { body: object; at: number }[] = [];
  let failures = 0;
  let outbox: Outbox;
  const outcomes: string[] = [];

  const addPeer = async (id: string, status: PeerStatus = "active") => {
    const now = Date.now();
    const { jwk } = await makeKey();
    await peers.put(
      await savePeer(db, {
        id,
        url: "http://127.0.0.1:9",
        name: null,
        status,
        keys: [jwk],
        grants: noGrants(),
        createdAt: now,
        updatedAt: now,
      }),
    );
  };

  const make = (attempts = 3): Outbox => {
    const deps: OutboxDeps = {
      db,
      log: createLogger({ level: "error", write: () => {} }),
      peers,
      policy: { attempts, baseDelayMs: 20, maxDelayMs: 100 },
      counted: (outcome) => outcomes.push(outcome),
      send: async (_peer, _type, body) => {
        if (failures > 0) {
          failures -= 1;
          throw fedError("ERR_FED_UNREACHABLE", 504, "down");
        }
        sent.push({ body, at: Date.now() });
      },
    };
    return new Outbox(deps);
  };

  const rowResult = async (body: object) => {
    const { federationMessages } = db.tables;
    const rows = await db.orm
      .select()
      .from(federationMessages)
      .where(eq(federationMessages.body, JSON.stringify(body)));
    return rows[0]?.result ? JSON.parse(rows[0].result) : null;
  };

  beforeEach(async () => {
    db = await openDatabase("sqlite::memory:");
    await migrate(db);
    peers = new PeerCache(db);
    sent.length = 0;
    outcomes.length = 0;
    failures = 0;
    await addPeer("peer-a");
    outbox = make();
    await outbox.start();
  });
  afterEach(async () => {
    await outbox.stop();
    await db.close();
  });

  test("delivers in order and records delivery", async () => {
    for (const n of [1, 2, 3]) await outbox.enqueue("peer-a", "event", { n });
    await until(() => sent.length === 3, "three deliveries");
    expect(sent.map((message) => message.body)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    await until(() => outbox.pending() === 0, "an empty queue");
    expect(await rowResult({ n: 1 })).toMatchObject({ state: "delivered" });
  });

  test("retries a failing peer with growing delays, then delivers", async () => {
    failures = 2;
    const started = Date.now();
    await outbox.enqueue("peer-a", "event", { n: 1 });
    await until(() => sent.length === 1, "the delivery");
    // Two waits: ≥ 10 ms (20·0.5) then ≥ 20 ms (40·0.5).
    expect((sent[0]?.at ?? 0) - started).toBeGreaterThanOrEqual(30);
  });

  test("dead-letters after the configured attempts, and the next message goes on", async () => {
    failures = 3;
    await outbox.enqueue("peer-a", "event", { n: 1 });
    await outbox.enqueue("peer-a", "event", { n: 2 });
    await until(() => sent.length === 1, "the second message");
    expect(sent[0]?.body).toEqual({ n: 2 });
    expect(await rowResult({ n: 1 })).toMatchObject({ state: "dead", reason: "ERR_FED_UNREACHABLE", attempts: 3 });
  });

  test("counts every attempt's outcome: delivered, retried, dead", async () => {
    failures = 3;
    await outbox.enqueue("peer-a", "event", { n: 1 });
    await outbox.enqueue("peer-a", "event", { n: 2 });
    await until(() => sent.length === 1, "the second message");
    await until(() => outcomes.length === 4, "four outcomes");
    expect(outcomes).toEqual(["retried", "retried", "dead", "delivered"]);
  });

  test("holds messages for a suspended peer without spending attempts", async () => {
    await addPeer("peer-b", "remote_suspended");
    await outbox.enqueue("peer-b", "event", { n: 1 });
    await Bun.sleep(100);
    expect(sent).toHaveLength(0);
    expect(outbox.pending()).toBe(1);
    expect(outcomes).toEqual([]);
  });

  test("messages left undelivered are sent after a restart", async () => {
    await outbox.stop();
    await addPeer("peer-c", "remote_suspended");
    await outbox.enqueue("peer-c", "event", { n: 1 });
    await addPeer("peer-c", "active");
    outbox = make();
    await outbox.start();
    await until(() => sent.length === 1, "the delivery after restart");
    expect(sent[0]?.body).toEqual({ n: 1 });
  });
});
