// Turns a client's text frame into a ClientMessage, or says exactly what is wrong with it.
import type { ClientMessage, ErrorCode } from "./protocol";

export interface ParseFailure {
  code: Extract<ErrorCode, "bad_message" | "unknown_type">;
  message: string;
}

// Generous bounds: ids are UUIDs, tokens are session tokens or IdP JWTs.
const MAX_ID_LENGTH = 128;
const MAX_TOKEN_LENGTH = 16_384;
// Event ids fit in 15 digits (see core/events/event-id.ts).
const SINCE = /^\d{1,15}$/;

const fail = (code: ParseFailure["code"], message: string): ParseFailure => ({ code, message });

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const workspaceIdOf = (body: Record<string, unknown>): string | ParseFailure => {
  const { workspaceId } = body;
  if (typeof workspaceId !== "string" || workspaceId === "" || workspaceId.length > MAX_ID_LENGTH) {
    return fail("bad_message", `\`workspaceId\` must be a non-empty string of at most ${MAX_ID_LENGTH} characters`);
  }
  return workspaceId;
};

// `since` is an event id: its decimal string, or the number for clients that parsed it.
const sinceOf = (since: unknown): string | undefined | ParseFailure => {
  if (since === undefined) return undefined;
  if (typeof since === "string" && SINCE.test(since)) return since;
  if (typeof since === "number" && Number.isSafeInteger(since) && since >= 0) return String(since);
  return fail("bad_message", '`since` must be an event id: a decimal string such as "42"');
};

export const parseClientMessage = (text: string): ClientMessage | ParseFailure => {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return fail("bad_message", "Frames must be JSON objects; this one is not valid JSON");
  }
  if (!isObject(body)) return fail("bad_message", "Frames must be JSON objects with a `type`");
  const { type } = body;
  if (typeof type !== "string") return fail("bad_message", "Frames must have a string `type`");
  switch (type) {
    case "auth": {
      const { token } = body;
      if (typeof token !== "string" || token === "" || token.length > MAX_TOKEN_LENGTH) {
        return fail("bad_message", "`auth` needs a `token`: a session token or an access token");
      }
      return { type, token };
    }
    case "subscribe": {
      const workspaceId = workspaceIdOf(body);
      if (typeof workspaceId !== "string") return workspaceId;
      const since = sinceOf(body.since);
      if (typeof since === "object") return since;
      return since === undefined ? { type, workspaceId } : { type, workspaceId, since };
    }
    case "unsubscribe": {
      const workspaceId = workspaceIdOf(body);
      return typeof workspaceId === "string" ? { type, workspaceId } : workspaceId;
    }
    case "ping":
      return { type };
    default:
      return fail("unknown_type", `Unknown type "${type.slice(0, 40)}"; expected auth, subscribe, unsubscribe or ping`);
  }
};

export const isParseFailure = (value: ClientMessage | ParseFailure): value is ParseFailure => "code" in value;
