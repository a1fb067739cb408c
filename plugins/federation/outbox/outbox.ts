// Messages that must reach a peer eventually (agent reports, connection notices, key rotations): stored in
// federation_messages (direction "out", result null while pending), delivered in order per peer, retried
// with exponential backoff and jitter, and dead-lettered after the configured attempts. Pending rows
// survive a restart; a peer that isn't active holds its queue without spending attempts.

import { isTesseraError, type Logger } from "tessera/plugin";
import { and, asc, type Database, eq, isNull } from "tessera/plugin/db";
import type { PeerCache, PeerEntry } from "../peers/peer-cache";
import { backoffMs } from "../wire/backoff";
import { MESSAGE_TYPES, type MessageType } from "../wire/constants";

export interface OutboxPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** What became of one delivery attempt: sent, failed with attempts left, or given up on. */
export type OutboxOutcome = "delivered" | "retried" | "dead";

export interface OutboxDeps {
  db: Database;
  log: Logger;
  peers: PeerCache;
  send(peer: PeerEntry, type: MessageType, body: object): Promise<unknown>;
  policy: OutboxPolicy;
  /** Told each attempt's outcome, for the metrics. */
  counted?(outcome: OutboxOutcome): void;
}

interface Pending {
  id: string;
  peerId: string;
  type: MessageType;
  body: object;
  attempts: number;
  dueAt: number;
}

const DAY_MS = 86_400_000;
/** How long a message may wait, undelivered, before its row is pruned. */
const KEEP_PENDING_MS = 7 * DAY_MS;
const HOLD_MS = 5000;

const isObject = (value: unknown): value is object => typeof value === "object" && value !== null;

export class Outbox {
  private readonly queues = new Map<string, Pending[]>();
  // Ids in the queues: a message enqueued before start() is in memory and in the rows start() loads.
  private readonly queued = new Set<string>();
  private readonly busy = new Set<string>();
  private readonly deliveries = new Set<Promise<void>>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;

  constructor(private readonly deps: OutboxDeps) {}

  /** Loads what an earlier run left undelivered and starts delivering. */
  async start(): Promise<void> {
    const { federationMessages } = this.deps.db.tables;
    const rows = await this.deps.db.orm
      .select()
      .from(federationMessages)
      .where(and(eq(federationMessages.direction, "out"), isNull(federationMessages.result)))
      .orderBy(asc(federationMessages.createdAt));
    for (const row of rows) {
      if (this.queued.has(row.jti)) continue;
      const type = MESSAGE_TYPES.find((known) => known === row.type);
      const body: unknown = JSON.parse(row.body ?? "null");
      if (!type || !isObject(body)) {
        await this.finish(row.jti, { state: "dead", reason: "unreadable row" });
        continue;
      }
      this.push({ id: row.jti, peerId: row.peerId, type, body, attempts: 0, dueAt: Date.now() });
    }
    this.running = true;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await Promise.all(this.deliveries);
  }

  async enqueue(peerId: string, type: MessageType, body: object): Promise<void> {
    const id = crypto.randomUUID();
    const now = Date.now();
    await this.deps.db.orm.insert(this.deps.db.tables.federationMessages).values({
      jti: id,
      peerId,
      type,
      direction: "out",
      commandId: null,
      body: JSON.stringify(body),
      result: null,
      createdAt: now,
      expiresAt: now + KEEP_PENDING_MS,
    });
    this.push({ id, peerId, type, body, attempts: 0, dueAt: now });
    this.schedule();
  }

  /** Messages waiting, for health and tests. */
  pending(): number {
    let total = 0;
    for (const queue of this.queues.values()) total += queue.length;
    return total;
  }

  private push(entry: Pending) {
    this.queued.add(entry.id);
    const queue = this.queues.get(entry.peerId);
    if (queue) queue.push(entry);
    else this.queues.set(entry.peerId, [entry]);
  }

  private schedule() {
    if (!this.running) return;
    clearTimeout(this.timer);
    let next = Number.POSITIVE_INFINITY;
    for (const [peerId, queue] of this.queues) {
      const head = queue[0];
      if (head && !this.busy.has(peerId)) next = Math.min(next, head.dueAt);
    }
    if (next === Number.POSITIVE_INFINITY) return;
    this.timer = setTimeout(() => this.tick(), Math.max(0, next - Date.now()));
  }

  private tick() {
    const now = Date.now();
    for (const [peerId, queue] of this.queues) {
      const head = queue[0];
      if (!head || this.busy.has(peerId) || head.dueAt > now) continue;
      this.busy.add(peerId);
      const delivery = this.deliver(head)
        .catch((error: unknown) => this.deps.log.error("outbox delivery failed", { peer: peerId, error }))
        .finally(() => {
          this.busy.delete(peerId);
          this.deliveries.delete(delivery);
          this.schedule();
        });
      this.deliveries.add(delivery);
    }
    this.schedule();
  }

  private async deliver(entry: Pending): Promise<void> {
    const peer = await this.deps.peers.get(entry.peerId);
    if (!peer || peer.peer.status === "disconnected") {
      this.deps.counted?.("dead");
      await this.settle(entry, { state: "dead", reason: "the peer is gone" });
      return;
    }
    if (peer.peer.status !== "active") {
      entry.dueAt = Date.now() + HOLD_MS;
      return;
    }
    try {
      await this.deps.send(peer, entry.type, entry.body);
      this.deps.counted?.("delivered");
      await this.settle(entry, { state: "delivered" });
    } catch (error) {
      entry.attempts += 1;
      const code = isTesseraError(error) ? error.code : "ERR_INTERNAL";
      const { attempts, baseDelayMs, maxDelayMs } = this.deps.policy;
      if (entry.attempts >= attempts) {
        this.deps.log.warn("outbox message dead-lettered", {
          peer: entry.peerId,
          type: entry.type,
          attempts: entry.attempts,
          error,
        });
        this.deps.counted?.("dead");
        await this.settle(entry, { state: "dead", reason: code, attempts: entry.attempts });
        return;
      }
      this.deps.counted?.("retried");
      entry.dueAt = Date.now() + backoffMs(entry.attempts, baseDelayMs, maxDelayMs);
      this.deps.log.debug("outbox delivery will be retried", { peer: entry.peerId, attempts: entry.attempts, code });
    }
  }

  private async settle(entry: Pending, result: Record<string, unknown>) {
    const queue = this.queues.get(entry.peerId);
    queue?.shift();
    this.queued.delete(entry.id);
    if (queue && queue.length === 0) this.queues.delete(entry.peerId);
    await this.finish(entry.id, result);
  }

  private async finish(id: string, result: Record<string, unknown>) {
    const now = Date.now();
    const { federationMessages } = this.deps.db.tables;
    // Delivered rows are kept a day and dead letters a week, for whoever investigates.
    const keepMs = result.state === "delivered" ? DAY_MS : KEEP_PENDING_MS;
    await this.deps.db.orm
      .update(federationMessages)
      .set({ result: JSON.stringify({ ...result, at: now }), expiresAt: now + keepMs })
      .where(eq(federationMessages.jti, id));
  }
}
