// The wire form of a WorkspaceEvent in Redis (history entries and PUB/SUB messages): its JSON text.
import type { WorkspaceEvent } from "./event-bus";

/** The event's JSON without id, ts and the closing brace: the publish script appends those. */
export const eventHead = (workspaceId: string, event: string, data: unknown): string =>
  JSON.stringify({ workspaceId, event, data: data ?? null }).slice(0, -1);

export const decodeEvent = (text: string): WorkspaceEvent | undefined => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const { workspaceId, id, event, data, ts } = parsed as Record<string, unknown>;
  if (typeof workspaceId !== "string" || typeof id !== "string" || typeof event !== "string" || typeof ts !== "number") {
    return undefined;
  }
  return { workspaceId, id, event, data, ts };
};
