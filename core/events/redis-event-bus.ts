// The event bus for several instances. One Lua script numbers an event (INCR), appends it to the
// workspace's capped history stream and PUBLISHes it, atomically, so every instance sees events in the
// same order with the same ids. Each instance listens on a dedicated subscriber connection; after a
// reconnect it replays what its listeners missed from the history.
import { TesseraError } from "../errors/tessera-error";
import { createLogger } from "../log/json-logger";
import type { Logger } from "../log/logger";
import { RedisConnection, type RedisConnectionOptions } from "../redis/connection";
import { defineScript } from "../redis/script";
import { RedisSubscriber } from "../redis/subscriber";
import type { EventBus, EventListener, ReplayResult, WorkspaceEvent } from "./event-bus";
import { DEFAULT_REPLAY_LIMIT, hasGap, parseLimit, parseSince } from "./event-id";
import { decodeEvent, eventHead } from "./event-json";
import { Listeners } from "./listeners";

// KEYS[1] seq, KEYS[2] history; ARGV[1] channel, ARGV[2] event head (see eventHead), ARGV[3] history size,
// ARGV[4] the newest id the publisher has seen. The stream entry id is the event id, so replay is an
// XRANGE from since+1. Exact MAXLEN (not ~) keeps history as long as configured, matching the in-memory
// bus. The floor keeps ids rising after a Redis restart that lost the counter (no persistence):
// otherwise ids would start again at 1 and every instance would drop them as already delivered.
const PUBLISH = defineScript(`
local floor = tonumber(ARGV[4])
if floor > 0 and (tonumber(redis.call('GET', KEYS[1])) or 0) < floor then redis.call('SET', KEYS[1], ARGV[4]) end
local id = string.format('%d', redis.call('INCR', KEYS[1]))
local t = redis.call('TIME')
local ts = t[1] .. string.format('%03d', math.floor(tonumber(t[2]) / 1000))
local message = ARGV[2] .. ',"id":"' .. id .. '","ts":' .. ts .. '}'
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[3], id .. '-0', 'e', message)
redis.call('PUBLISH', ARGV[1], message)
return message
`);

// Workspaces whose last delivered id this instance remembers, for de-duplication after a replay.
const MAX_TRACKED_WORKSPACES = 10_000;

export interface RedisEventBusOptions extends RedisConnectionOptions {
  url: string;
  /** Key and channel namespace; tests use a unique one per run. */
  prefix?: string;
  historySize?: number;
  logger?: Logger;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export class RedisEventBus implements EventBus {
  /** This instance's subscriber in CLIENT LIST, for operators tracing a connection. */
  readonly subscriberName = `tessera-events-${crypto.randomUUID().slice(0, 8)}`;
  private readonly redis: RedisConnection;
  private readonly subscriber: RedisSubscriber;
  private readonly started: Promise<void>;
  private readonly listeners: Listeners;
  private readonly logger: Logger;
  private readonly prefix: string;
  private readonly historySize: number;
  private readonly lastIds = new Map<string, number>();
  /** Live messages held back while a replay after a reconnect is delivering older ones. */
  private pending: WorkspaceEvent[] | undefined;

  constructor(options: RedisEventBusOptions) {
    this.prefix = options.prefix ?? "tessera:ev:";
    this.historySize = Math.max(1, options.historySize ?? 1000);
    this.logger = options.logger ?? createLogger();
    this.listeners = new Listeners(this.logger);
    this.redis = new RedisConnection(options.url, options);
    this.subscriber = new RedisSubscriber({
      ...options,
      channel: this.channel,
      clientName: this.subscriberName,
      logger: this.logger,
      onMessage: (message) => this.receive(message),
      onResubscribed: () => void this.catchUp(),
    });
    this.started = this.subscriber.start();
  }

  private get channel(): string {
    return `${this.prefix}events`;
  }

  async publish(workspaceId: string, event: string, data: unknown): Promise<WorkspaceEvent> {
    // Until the first subscribe attempt is over, this instance's own listeners could miss the event.
    await this.started;
    const keys = [`${this.prefix}${workspaceId}:seq`, `${this.prefix}${workspaceId}:log`];
    const reply = await this.redis.eval(PUBLISH, keys, [
      this.channel,
      eventHead(workspaceId, event, data),
      String(this.historySize),
      String(this.lastIds.get(workspaceId) ?? 0),
    ]);
    const published = typeof reply === "string" ? decodeEvent(reply) : undefined;
    if (!published)
      throw new TesseraError("ERR_INTERNAL", "Unexpected reply from the Redis publish script", { details: { reply } });
    return published;
  }

  subscribe(workspaceId: string, listener: EventListener): () => void {
    return this.listeners.add(workspaceId, listener);
  }

  subscribeAll(listener: EventListener): () => void {
    return this.listeners.addAll(listener);
  }

  async replay(workspaceId: string, since: string, limit?: number): Promise<ReplayResult> {
    const after = parseSince(since);
    const reply = await this.redis.send("XRANGE", [
      `${this.prefix}${workspaceId}:log`,
      String(after + 1),
      "+",
      "COUNT",
      String(parseLimit(limit)),
    ]);
    const events = decodeEntries(reply);
    return { events, gap: hasGap(after, events[0]?.id) };
  }

  async ready(): Promise<boolean> {
    await this.started;
    return this.subscriber.connected && (await this.redis.ping());
  }

  async close(): Promise<void> {
    this.subscriber.close();
    this.redis.close();
    this.listeners.clear();
  }

  private receive(message: string): void {
    const event = decodeEvent(message);
    if (!event) {
      this.logger.warn("ignored a malformed message on the events channel", { channel: this.channel });
      return;
    }
    if (this.pending) this.pending.push(event);
    else this.deliver(event);
  }

  private deliver(event: WorkspaceEvent): void {
    const id = Number(event.id);
    const last = this.lastIds.get(event.workspaceId);
    // Already delivered: a replayed event that also arrived live, or the reverse.
    if (last !== undefined && id <= last) return;
    this.lastIds.delete(event.workspaceId);
    this.lastIds.set(event.workspaceId, id);
    if (this.lastIds.size > MAX_TRACKED_WORKSPACES) {
      const oldest = this.lastIds.keys().next();
      if (!oldest.done) this.lastIds.delete(oldest.value);
    }
    this.listeners.emit(event);
  }

  // After the subscriber came back: replay, per workspace someone here listens to, what was published
  // while it was away, then release the live messages that queued up meanwhile.
  private async catchUp(): Promise<void> {
    if (this.pending) return;
    this.pending = [];
    try {
      for (const [workspaceId, last] of [...this.lastIds]) {
        if (this.listeners.wants(workspaceId)) await this.replayInto(workspaceId, last);
      }
    } catch (error) {
      this.logger.error("could not replay events missed while the Redis subscriber was away", { error });
    } finally {
      const pending = this.pending;
      this.pending = undefined;
      for (const event of pending) this.deliver(event);
    }
  }

  private async replayInto(workspaceId: string, last: number): Promise<void> {
    for (let since = last; ; ) {
      const { events, gap } = await this.replay(workspaceId, String(since));
      if (gap)
        this.logger.warn("events were dropped from history before this instance could replay them", { workspaceId, since });
      for (const event of events) this.deliver(event);
      const newest = events.at(-1);
      if (!newest || events.length < DEFAULT_REPLAY_LIMIT) return;
      since = Number(newest.id);
    }
  }
}

// XRANGE reply: [[entryId, [field, value, …]], …]; the event JSON is the value of field "e".
const decodeEntries = (reply: unknown): WorkspaceEvent[] => {
  if (!Array.isArray(reply)) throw unexpected(reply);
  return reply.map((entry: unknown) => {
    const fields = Array.isArray(entry) ? entry[1] : undefined;
    const text = Array.isArray(fields) ? fields[fields.indexOf("e") + 1] : undefined;
    const event = typeof text === "string" ? decodeEvent(text) : undefined;
    if (!event) throw unexpected(entry);
    return event;
  });
};

const unexpected = (reply: unknown) =>
  new TesseraError("ERR_INTERNAL", "Unexpected history entry in Redis", { details: { reply } });
