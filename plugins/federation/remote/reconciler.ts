// A hub's watch over its unfinished remote agents: it asks their peers how they are, and an agent whose
// peer has not answered for `lostAfterMs` is recorded as lost rather than left running forever.
import { isTesseraError } from "tessera/plugin";
import { type AgentRecord, activeMirrors } from "../agents/agent-store";
import { askStatus, loseMirror, type RemoteDeps } from "./remote-agents";

export class Reconciler {
  private readonly heard = new Map<string, number>();
  private readonly startedAt = Date.now();
  private timer: ReturnType<typeof setInterval> | undefined;
  private round: Promise<void> | undefined;

  constructor(private readonly deps: RemoteDeps) {}

  start(): void {
    this.timer = setInterval(() => {
      this.round ??= this.run()
        .catch((error: unknown) => this.deps.log.error("checking remote agents failed", { error }))
        .finally(() => {
          this.round = undefined;
        });
    }, this.deps.config.reconcile.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.round;
  }

  /** One pass over every unfinished remote agent. */
  async run(): Promise<void> {
    const mirrors = await activeMirrors(this.deps.db);
    const live = new Set(mirrors.map((mirror) => mirror.id));
    for (const id of this.heard.keys()) if (!live.has(id)) this.heard.delete(id);
    // A peer that failed to answer once this round is not asked again until the next: with many agents
    // on a peer that times out, one round would otherwise take agents × timeout.
    const silent = new Set<string>();
    for (const mirror of mirrors) await this.check(mirror, silent);
  }

  private async check(mirror: AgentRecord, silent: Set<string>) {
    const now = Date.now();
    const entry = mirror.runsOn === null ? null : await this.deps.peers.get(mirror.runsOn);
    // A suspension is a pause: the agent may well be running, so it is not given up on.
    if (entry && (entry.peer.status === "suspended" || entry.peer.status === "remote_suspended")) return;
    if (entry?.peer.status === "active" && mirror.remoteId !== null && !silent.has(entry.peer.id)) {
      try {
        await askStatus(this.deps, entry, mirror);
        this.heard.set(mirror.id, now);
        return;
      } catch (error) {
        // The peer no longer knows the agent: it is gone for good.
        if (isTesseraError(error) && error.status === 404) {
          await loseMirror(this.deps, mirror);
          return;
        }
        silent.add(entry.peer.id);
        this.deps.log.debug("a peer did not answer about its agent", { agent: mirror.id, peer: mirror.runsOn, error });
      }
    }
    const since = Math.max(this.heard.get(mirror.id) ?? this.startedAt, mirror.createdAt);
    if (now - since >= this.deps.config.reconcile.lostAfterMs) await loseMirror(this.deps, mirror);
  }
}
