// One event stream: a ReadableStream response body behind the Socket interface that Connection and the
// hub already speak, so subscription, replay, membership removal and the send bound are theirs, not a
// second copy. Messages are reframed for SSE on the way out (frame.ts).
import { Connection, type ConnectionOwner, type Identity, type Socket } from "../connection";
import { CLOSE, type ErrorMessage } from "../protocol";
import { messageFrame, PING, retryFrame } from "./frame";
import type { StreamTopics, TopicMember } from "./topics";

/** The close code of an end that is no failure: the reader left, or the server ended the subscription. */
const NORMAL_END = 1000;

const encoder = new TextEncoder();
const PING_BYTES = encoder.encode(PING);

export class EventStream implements Socket, TopicMember {
  readonly connection: Connection;
  readonly body: ReadableStream<Uint8Array>;
  /** The hub's `error` before `subscribed` (not a member, say): answered as problem+json, never streamed. */
  refusal: ErrorMessage | undefined;
  private subscribed = false;
  /** Set while the body is open; the queue counts bytes, so a high-water mark of 0 makes -desiredSize the backlog. */
  private controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  private readonly joined = new Set<string>();
  /**
   * Queued bytes not held against the bound: all of them until the response starts (the replay is
   * bounded by replayLimit instead), then that backlog until the server has taken it once (first pull).
   */
  private allowance = Number.POSITIVE_INFINITY;

  constructor(
    owner: ConnectionOwner,
    identity: Identity,
    private readonly topics: StreamTopics,
    retryMs: number,
  ) {
    this.connection = new Connection(owner, identity);
    this.body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        pull: () => {
          this.allowance = 0;
        },
        // The client went away (Bun cancels the body when the connection closes).
        cancel: () => this.finish(NORMAL_END, "client disconnected"),
      },
      { highWaterMark: 0, size: (chunk) => chunk?.byteLength ?? 0 },
    );
    this.deliver(encoder.encode(retryFrame(retryMs)));
  }

  send(text: string): number {
    const { message, frame } = messageFrame(text);
    if (message.type === "error" && !this.subscribed) {
      this.refusal = message;
      return text.length;
    }
    if (message.type === "subscribed") this.subscribed = true;
    const sent = this.write(encoder.encode(frame));
    // A stream follows one workspace: when the server ends that subscription (removal), the stream ends.
    if (message.type === "unsubscribed") this.connection.end(NORMAL_END, "subscription ended");
    return sent;
  }

  deliver(bytes: Uint8Array): void {
    this.write(bytes);
  }

  ping(): void {
    this.write(PING_BYTES);
  }

  /** The response is about to start with what is queued now (the replay). */
  started(): void {
    this.allowance = this.queued();
  }

  /** Bytes queued and not yet taken by the server's socket writer, past the allowance. */
  getBufferedAmount(): number {
    return Math.max(0, this.queued() - this.allowance);
  }

  subscribe(topic: string): void {
    this.joined.add(topic);
    this.topics.add(topic, this);
  }

  unsubscribe(topic: string): void {
    this.joined.delete(topic);
    this.topics.remove(topic, this);
  }

  /** Connection.end lands here: a slow reader's backlog is dropped with the connection, anything else ends cleanly. */
  close(code: number, reason: string): void {
    const controller = this.controller;
    if (controller) {
      // error() discards the queue and resets the connection; with no reason given, Bun logs nothing.
      if (code === CLOSE.SLOW_CONSUMER) controller.error();
      else controller.close();
    }
    this.finish(code, reason);
  }

  private finish(code: number, reason: string): void {
    this.controller = undefined;
    for (const topic of this.joined) this.topics.remove(topic, this);
    this.joined.clear();
    this.connection.close(this, code, reason);
  }

  private queued(): number {
    return Math.max(0, -(this.controller?.desiredSize ?? 0));
  }

  private write(bytes: Uint8Array): number {
    const controller = this.controller;
    if (!controller) return 0;
    controller.enqueue(bytes);
    return bytes.byteLength;
  }
}
