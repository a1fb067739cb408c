// The fixed numbers and names of the tessera-fed/1 wire format (see docs/federation.md).

export const PROTOCOL = "tessera-fed/1";
export const JWS_TYPE = "tessera-fed+jwt";
export const MEDIA_TYPE = "application/jose";
export const WELL_KNOWN_PATH = "/.well-known/tessera";
export const INBOX_PATH = "/federation/v1/inbox";

/** Largest message an inbox reads; checked before parsing. */
export const MAX_MESSAGE_BYTES = 64 * 1024;
/** Largest identity document or response read from a peer. */
export const MAX_REPLY_BYTES = 1024 * 1024;
/** Allowed difference between the sender's and the receiver's clocks, seconds. */
export const CLOCK_SKEW_S = 60;
/** Longest `exp - iat` a receiver accepts, seconds. */
export const MAX_LIFETIME_S = 300;
/** The lifetime this implementation gives its own messages, seconds. */
export const MESSAGE_LIFETIME_S = 60;

export const COMMAND_NAMES = ["agent.spawn", "agent.status", "agent.kill", "agent.list"] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export const MESSAGE_TYPES = ["connection.request", "connection.accept", "command", "response", "event"] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
