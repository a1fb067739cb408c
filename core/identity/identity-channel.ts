// Identity changes between instances sharing a Redis: a session revoked on one (sign-out, back-channel
// logout, a suspended peer's guests) must stop working on every other at once, although each answers
// tokens from its own session cache and holds its own live connections. Changes go out on one PUB/SUB channel; while this instance's
// subscriber is down its cache is bypassed, and emptied when the subscriber is back, because what was
// published meanwhile is lost.
import type { Logger } from "../log/logger";
import { RedisConnection } from "../redis/connection";
import { RedisSubscriber } from "../redis/subscriber";
import { type IdentityChange, onIdentityChange, type Unshared } from "./identity-changes";

export interface IdentityChannelOptions {
  url: string;
  /** Channel namespace (the deployment's redis.prefix). */
  prefix: string;
  db: object;
  logger: Logger;
  /** Where changes made on other instances go. */
  onRemoteChange: (change: IdentityChange) => void;
  /** Called when the subscriber is back after a loss: changes may have been missed. */
  onMissed: () => void;
}

export interface IdentityChannel {
  /** This instance's subscriber in CLIENT LIST, for operators tracing a connection. */
  readonly subscriberName: string;
  /** True while changes published by other instances reach this one. */
  readonly listening: boolean;
  close(): Promise<void>;
}

const ids = (value: unknown): string[] | undefined =>
  Array.isArray(value) && value.every((item) => typeof item === "string") ? value : undefined;

const isUnshared = (item: unknown): item is Unshared =>
  typeof item === "object" &&
  item !== null &&
  "workspaceId" in item &&
  typeof item.workspaceId === "string" &&
  "peerId" in item &&
  typeof item.peerId === "string";

const unsharedList = (value: unknown): Unshared[] | undefined =>
  Array.isArray(value) && value.every(isUnshared) ? value.map(({ workspaceId, peerId }) => ({ workspaceId, peerId })) : undefined;

// Fields absent from a message count as empty, so instances that announce fewer kinds of change still parse.
const parse = (message: string): (IdentityChange & { origin: string }) | null => {
  try {
    const parsed: unknown = JSON.parse(message);
    if (typeof parsed !== "object" || parsed === null || !("origin" in parsed) || typeof parsed.origin !== "string") return null;
    const sessionIds = "sessionIds" in parsed ? ids(parsed.sessionIds) : [];
    const userIds = "userIds" in parsed ? ids(parsed.userIds) : [];
    const peerIds = "peerIds" in parsed ? ids(parsed.peerIds) : [];
    const unshared = "unshared" in parsed ? unsharedList(parsed.unshared) : [];
    if (!sessionIds || !userIds || !peerIds || !unshared) return null;
    return { origin: parsed.origin, sessionIds, userIds, peerIds, unshared };
  } catch {
    return null;
  }
};

export const openIdentityChannel = ({
  url,
  prefix,
  db,
  logger,
  onRemoteChange,
  onMissed,
}: IdentityChannelOptions): IdentityChannel => {
  const channel = `${prefix}identity`;
  const origin = crypto.randomUUID();
  const publisher = new RedisConnection(url);
  const subscriberName = `tessera-identity-${origin.slice(0, 8)}`;
  const subscriber = new RedisSubscriber({
    url,
    channel,
    clientName: subscriberName,
    logger,
    onMessage(message) {
      const change = parse(message);
      // Anything unreadable could have been a revocation: forget everything rather than guess.
      if (!change) {
        logger.warn("unreadable identity change on Redis; emptying the session cache", { channel });
        onMissed();
        return;
      }
      if (change.origin !== origin) onRemoteChange(change);
    },
    onResubscribed: onMissed,
  });
  void subscriber.start();

  const unlisten = onIdentityChange(db, async (change) => {
    const message = JSON.stringify({
      origin,
      sessionIds: change.sessionIds ?? [],
      userIds: change.userIds ?? [],
      peerIds: change.peerIds ?? [],
      unshared: change.unshared ?? [],
    });
    // Redis answers PUBLISH after handing the message to every subscriber, so once this settles the
    // other instances have it before the client hears of the change.
    await publisher.send("PUBLISH", [channel, message]).catch((error: unknown) => {
      logger.error(
        "publishing an identity change failed; other instances answer the changed sessions until their cache expires",
        {
          error,
          sessions: change.sessionIds?.length ?? 0,
          users: change.userIds?.length ?? 0,
          peers: change.peerIds?.length ?? 0,
        },
      );
    });
  });

  return {
    subscriberName,
    get listening() {
      return subscriber.connected;
    },
    async close() {
      unlisten();
      subscriber.close();
      publisher.close();
    },
  };
};
