// Counts the events a pool of connections receives and times them from the moment their publish was sent,
// so throughput and publish→deliver latency are measured by one clock in one process.
import type { PeerConnection } from "./connection.js";
import type { PublishReply, PublishRequest } from "./protocol.js";

/** A round whose deliveries have not all arrived by then has lost some: an error, not a slow number. */
const ROUND_TIMEOUT_MS = 10_000;

export class DeliveryCounter {
  received = 0;
  readonly latenciesMs: number[] = [];
  #sentAt: number | undefined;
  #target = Number.POSITIVE_INFINITY;
  #wake: () => void = () => {};

  constructor(connections: readonly PeerConnection[]) {
    for (const connection of connections) {
      connection.onEvent(() => {
        this.received += 1;
        if (this.#sentAt !== undefined) this.latenciesMs.push(performance.now() - this.#sentAt);
        if (this.received >= this.#target) this.#wake();
      });
    }
  }

  /** Records each delivery's latency from now on, against the publish about to be sent. */
  timeFromNow() {
    this.#sentAt = performance.now();
  }

  /** Resolves once `count` more deliveries than `from` have arrived. */
  async awaitTotal(from: number, count: number) {
    this.#target = from + count;
    if (this.received >= this.#target) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.#target - this.received} of ${count} deliveries missing after ${ROUND_TIMEOUT_MS} ms`)),
        ROUND_TIMEOUT_MS,
      );
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

export const publish = async (url: string, request: PublishRequest): Promise<PublishReply> => {
  const response = await fetch(`${url}/publish`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(request),
  });
  if (!response.ok) throw new Error(`publish answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as PublishReply;
};
