// Server-Sent Events framing (WHATWG HTML, "Server-sent events"): the WebSocket's server messages,
// reframed so that an EventSource or `curl -N` reads the same stream with the same JSON in `data:`.
import type { ServerMessage } from "../protocol";

export interface SseFrame {
  /** Sets the client's last event id, which an EventSource sends back as Last-Event-ID. */
  id?: string;
  /** The event type; without one, EventSource dispatches a plain "message" (onmessage). */
  event?: string;
  data: string;
}

const LINE_BREAK = /\r\n|\r|\n/;

/** One event; a line break inside `data` becomes another `data:` line, which the client joins back with "\n". */
export const sseFrame = ({ id, event, data }: SseFrame): string => {
  let frame = event === undefined ? "" : `event: ${event}\n`;
  if (id !== undefined) frame += `id: ${id}\n`;
  for (const line of data.split(LINE_BREAK)) frame += `data: ${line}\n`;
  return `${frame}\n`;
};

/** A comment line: clients ignore it, proxies see traffic and keep the stream open. */
export const PING = ": ping\n\n";

export const retryFrame = (ms: number): string => `retry: ${ms}\n\n`;

/**
 * A server message (JSON text, as the hub sends it) as an SSE frame. Workspace events are unnamed, so
 * `onmessage` gets them all, and carry their id; a resume that missed too much is named `gap`, the
 * other messages by their type (`subscribed`, `unsubscribed`, `error`) and carry no id, so they never
 * move the resume point.
 */
export const messageFrame = (text: string): { message: ServerMessage; frame: string } => {
  const message = JSON.parse(text) as ServerMessage;
  if (message.type === "event") return { message, frame: sseFrame({ id: message.id, data: text }) };
  const event = message.type === "subscribed" && message.gap ? "gap" : message.type;
  return { message, frame: sseFrame({ event, data: text }) };
};
