// The event bus for several instances. One Lua script numbers an event (INCR), appends it to the
// workspace's capped history stream and PUBLISHes it, atomically, so every instance sees events in the
// same order with the same ids. Each instance listens on a dedicated subscriber connection; after a
// reconnect it replays what its listeners missed from the history, and tells its owners (onResync)
// where that history could not vouch for everything.
import { TesseraError } from "../errors/tessera-error";
import { createLogger } from "../log/json-logger";
import type { Logger } from "../log/logger";
import { RedisConnection, type RedisConnectionOptions } from "../redis/connection";
import { defineScript } from "../redis/script";
import { RedisSubscriber } from "../redis/subscriber";
import type { EventBus, EventListener, ReplayResult, ResyncListener, WorkspaceEvent } from "./event-bus";
import { DEFAULT_REPLAY_LIMIT, hasGap, parseLimit, parseSince } from "./event-id";
import { decodeEvent, eventHead } from "./event-json";
import { Listeners } from "./listeners";

// KEYS[1] seq, KEYS[2] history, KEYS[3] from, KEYS[4] epoch; ARGV[1] channel, ARGV[2] event head (see
// eventHead), ARGV[3] history size, ARGV[4] the newest id the publisher has seen, ARGV[5] the epoch it
// knows ("" for none), ARGV[6] an epoch to start if Redis has none. The stream entry id is the event id,
// so replay is an XRANGE from since+1. Exact MAXLEN (not ~) keeps history as long as configured, matching
// the in-memory bus. The floor keeps ids rising after a Redis restart that lost the counter (no
// persistence): otherwise ids would start again at 1 and every instance would drop them as already
// delivered. A counter that restarted (raised to the floor, or recreated under an epoch the publisher did
// not know) records its first id in `from`: what was published before it, or lost while Redis was away,
// is beyond what this history can replay.
const PUBLISH = defineScript(`
local epoch = redis.call('GET', KEYS[4])
if not epoch then epoch = ARGV[6]; redis.call('SET', KEYS[4], epoch) end
local floor = tonumber(ARGV[4])
local seq = tonumber(redis.call('GET', KEYS[1]))
local restarted = (seq or 0) < floor or (not seq and ARGV[5] ~= '' and ARGV[5] ~= epoch)
if (seq or 0) < floor then redis.call('SET', KEYS[1], ARGV[4]) end
local id = string.format('%d', redis.call('INCR', KEYS[1]))
if restarted then redis.call('SET', KEYS[3], id) end
local t = redis.call('TIME')
local ts = t[1] .. string.format('%03d', math.floor(tonumber(t[2]) / 1000))
local message = ARGV[2] .. ',"id":"' .. id .. '","ts":' .. ts .. '}'
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[3], id .. '-0', 'e', message)
redis.call('PUBLISH', ARGV[1], message)
return {message, epoch}
`);

// KEYS[1] seq, KEYS[2] history, KEYS[3] from; ARGV[1] since+1, ARGV[2] count. The bounds and the events
// are read together, so a publish cannot fall between them.
const REPLAY = defineScript(`
local newest = redis.call('GET', KEYS[1]) or '0'
local from = redis.call('GET', KEYS[3]) or '0'
return {newest, from, redis.call('XRANGE', KEYS[2], ARGV[1], '+', 'COUNT', ARGV[2])}
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
  private readonly resyncListeners = new Set<ResyncListener>();
  /** The `epoch` key this instance last saw: Redis lost its data when it is gone or different. */
  private epoch = "";

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
    this.started = this.subscriber.start().then(() => this.learnEpoch());
  }

  private get channel(): string {
    return `${this.prefix}events`;
  }

  async publish(workspaceId: string, event: string, data: unknown): Promise<WorkspaceEvent> {
    // Until the first subscribe attempt is over, this instance's own listeners could miss the event.
    await this.started;
    const reply = await this.redis.eval(
      PUBLISH,
      [...this.keys(workspaceId), this.epochKey],
      [
        this.channel,
        eventHead(workspaceId, event, data),
        String(this.historySize),
        String(this.lastIds.get(workspaceId) ?? 0),
        this.epoch,
        crypto.randomUUID(),
      ],
    );
    const [message, epoch] = Array.isArray(reply) ? reply : [];
    const published = typeof message === "string" ? decodeEvent(message) : undefined;
    if (!published || typeof epoch !== "string")
      throw new TesseraError("ERR_INTERNAL", "Unexpected reply from the Redis publish script", { details: { reply } });
    this.epoch = epoch;
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
    const reply = await this.redis.eval(REPLAY, this.keys(workspaceId), [String(after + 1), String(parseLimit(limit))]);
    const [newest, from, entries] = Array.isArray(reply) ? reply : [];
    if (typeof newest !== "string" || typeof from !== "string") throw unexpected(reply);
    const events = decodeEntries(entries);
    return { events, gap: hasGap(after, events[0]?.id, { newest: Number(newest), from: Number(from) }) };
  }

  onResync(listener: ResyncListener): () => void {
    this.resyncListeners.add(listener);
    return () => this.resyncListeners.delete(listener);
  }

  async ready(): Promise<boolean> {
    await this.started;
    return this.subscriber.connected && (await this.redis.ping());
  }

  async close(): Promise<void> {
    this.subscriber.close();
    this.redis.close();
    this.listeners.clear();
    this.resyncListeners.clear();
  }

  private get epochKey(): string {
    return `${this.prefix}epoch`;
  }

  private keys(workspaceId: string): string[] {
    return [`${this.prefix}${workspaceId}:seq`, `${this.prefix}${workspaceId}:log`, `${this.prefix}${workspaceId}:from`];
  }

  // At start, so that a Redis that restarts empty later is told apart from a new deployment.
  private async learnEpoch(): Promise<void> {
    try {
      await this.redis.send("SET", [this.epochKey, crypto.randomUUID(), "NX"]);
      const epoch = await this.redis.send("GET", [this.epochKey]);
      if (typeof epoch === "string") this.epoch = epoch;
    } catch (error) {
      this.logger.warn("could not read the event history's epoch from Redis; a restart of Redis may go unnoticed", { error });
    }
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
  // while it was away, then release the live messages that queued up meanwhile, then tell the owners
  // which workspaces lost events for good.
  private async catchUp(): Promise<void> {
    if (this.pending) return;
    this.pending = [];
    const gaps = new Set<string>();
    try {
      for (const [workspaceId, last] of [...this.lastIds]) {
        if (this.listeners.wants(workspaceId) && (await this.replayInto(workspaceId, last))) gaps.add(workspaceId);
      }
    } catch (error) {
      this.logger.error("could not replay events missed while the Redis subscriber was away", { error });
      for (const workspaceId of this.lastIds.keys()) if (this.listeners.wants(workspaceId)) gaps.add(workspaceId);
    } finally {
      const pending = this.pending;
      this.pending = undefined;
      for (const event of pending) this.deliver(event);
    }
    for (const listener of this.resyncListeners) {
      try {
        listener(gaps);
      } catch (error) {
        this.logger.error("an event-stream resync listener failed", { error });
      }
    }
  }

  /** True when events after `last` could not all be replayed. */
  private async replayInto(workspaceId: string, last: number): Promise<boolean> {
    let lost = false;
    for (let since = last; ; ) {
      const { events, gap } = await this.replay(workspaceId, String(since));
      if (gap) {
        lost = true;
        this.logger.warn("events were lost from history before this instance could replay them", { workspaceId, since });
      }
      for (const event of events) this.deliver(event);
      const newest = events.at(-1);
      if (!newest || events.length < DEFAULT_REPLAY_LIMIT) return lost;
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
