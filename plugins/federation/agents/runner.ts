// Runs agents: each a configured argv started with Bun.spawn (no shell) as the leader of its own session
// and process group, the task on stdin as JSON, a clean environment holding only the type's configured
// variables. Enforces the global and per-peer concurrency limits, the per-type timeout and output limit;
// kill is SIGTERM to the whole group, then SIGKILL after a grace period, and whatever a run leaves behind
// when its first process exits is killed too, so no process outlives its run.
// Records every state change and reports it through `onChange`. Instances sharing one database each run
// their own agents; a kill received by another instance is left in the database for the owner to carry out.
import type { Subprocess } from "bun";
import {
  endLeftoverRun,
  type Logger,
  notFound,
  processStartTime,
  type RunProcess,
  runAlive,
  signalRun,
  TesseraError,
  validationFailed,
} from "tessera/plugin";
import type { Database } from "tessera/plugin/db";
import { fedError } from "../errors";
import { type ActingUser, actorColumns } from "../identity/acting-user";
import {
  type AgentRecord,
  advanceAgent,
  byId,
  findByCommand,
  getAgent,
  insertAgent,
  interruptedRuns,
  killsRequested,
  loseInterrupted,
  requestKill,
} from "./agent-store";
import type { AgentType } from "./agent-types";
import { OutputTail } from "./output-tail";
import { stableJson } from "./stable-json";
import { type AgentStatus, isTerminal } from "./status";

export interface RunnerLimits {
  maxConcurrent: number;
  maxConcurrentPerPeer: number;
  killGraceMs: number;
  outputTailBytes: number;
}

/** What the config decides, replaced whole on reload: a spawn reads it once, and a run keeps its own terms. */
export interface RunnerSettings {
  types: ReadonlyMap<string, AgentType>;
  limits: RunnerLimits;
}

export interface RunnerOptions {
  db: Database;
  log: Logger;
  /** Recorded on every run started here (server.instanceId). */
  instanceId: string;
  settings: () => RunnerSettings;
  /** Agents start in this directory (the config file's). */
  cwd: string;
  onChange(agent: AgentRecord): Promise<void>;
}

export interface SpawnRequest {
  agentType: string;
  input?: unknown;
  /** At most the type's timeout. */
  timeoutMs?: number;
  /** Makes the spawn idempotent for this requester. */
  commandId?: string;
  /** The peer that asks (null: a member of `workspaceId` on this instance). */
  peerId: string | null;
  workspaceId: string | null;
  /** Who asked: a member here, or the peer's user its signed command named. */
  actor?: ActingUser | null;
}

type Process = Subprocess<"pipe", "pipe", "pipe">;

/** One spawn's terms, fixed when it was asked for. */
interface Run {
  type: AgentType;
  input: unknown;
  timeoutMs: number;
  limits: RunnerLimits;
}
type EndReason = Extract<AgentStatus, "killed" | "timed_out" | "lost">;
// A run ended for passing one of its type's limits is failed.
type StopReason = EndReason | "failed";

interface Slot {
  peerId: string | null;
  /** The grace of the settings it started under: a reload does not change how a run already going ends. */
  killGraceMs: number;
  proc?: Process;
  run?: RunProcess;
  reason?: StopReason;
  /** Why the runner ended it, appended to the output. */
  note?: string;
  signalled: boolean;
  /** When SIGTERM went to the run: its grace period runs from then. */
  signalledAt?: number;
  timers: ReturnType<typeof setTimeout>[];
  done: Promise<AgentRecord>;
  resolve(agent: AgentRecord): void;
}

// No run has a known end, so clients are told to come back after a short while.
const RETRY_AFTER_S = "5";
// After the process exits, how long its pipes may stay open (held by a grandchild) before we stop reading.
const DRAIN_MS = 1000;
// While what a run left behind gets its grace period, how often we look whether it has gone.
const REST_POLL_MS = 50;
// While agents run here, how often the database is asked whether another instance was told to kill one.
const KILL_POLL_MS = 250;
// How often an instance that forwarded a kill looks whether the owner has ended the run.
const KILL_WAIT_POLL_MS = 100;

const pump = async (stream: ReadableStream<Uint8Array>, tail: OutputTail, pushed: () => void) => {
  const reader = stream.getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    tail.push(chunk.value);
    pushed();
  }
};

const limitReached = (message: string) =>
  fedError("ERR_AGENT_LIMIT", 429, message, { headers: { "Retry-After": RETRY_AFTER_S } });

export class AgentRunner {
  private readonly slots = new Map<string, Slot>();
  private readonly commands = new Map<string, Promise<unknown>>();
  private killPoll: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly options: RunnerOptions) {}

  /** Agents running (or starting) in this process. */
  running(): number {
    return this.slots.size;
  }

  async spawn(request: SpawnRequest): Promise<{ agent: AgentRecord; created: boolean }> {
    const { types, limits } = this.options.settings();
    const type = types.get(request.agentType);
    if (!type)
      throw fedError("ERR_AGENT_TYPE", 422, `No agent type "${request.agentType}" on this instance`, { path: "agentType" });
    if (request.timeoutMs !== undefined && request.timeoutMs > type.timeoutMs) {
      throw fedError("ERR_AGENT_TIMEOUT", 422, `timeoutMs may lower the type's ${type.timeoutMs} ms, never raise it`, {
        path: "timeoutMs",
      });
    }
    const input = request.input ?? null;
    const { inputBytes } = type.limits;
    if (Buffer.byteLength(JSON.stringify(input)) > inputBytes) {
      throw validationFailed(`input is larger than ${inputBytes} bytes of JSON`, { path: "input" });
    }
    const timeoutMs = request.timeoutMs ?? type.timeoutMs;
    const { commandId } = request;
    const run = { type, input, timeoutMs, limits };
    if (commandId === undefined) return { agent: await this.start(request, run, null), created: true };
    return this.oneAtATime(JSON.stringify([request.peerId, request.workspaceId, commandId]), async () => {
      const existing = await findByCommand(this.options.db, {
        peerId: request.peerId,
        workspaceId: request.workspaceId,
        commandId,
      });
      if (!existing) return { agent: await this.start(request, run, commandId), created: true };
      const asked = stableJson({ agentType: request.agentType, input, timeoutMs });
      if (stableJson({ agentType: existing.agentType, input: existing.input, timeoutMs: existing.timeoutMs }) !== asked) {
        throw fedError("ERR_FED_COMMAND_CONFLICT", 422, `commandId ${commandId} was already used with other arguments`, {
          path: "commandId",
        });
      }
      return { agent: existing, created: false };
    });
  }

  /**
   * Ends a run; a run already over is returned as it is, except that a lost run of this instance whose
   * processes still live (left by a crash) has them ended first.
   */
  async kill(id: string): Promise<AgentRecord> {
    const agent = await getAgent(this.options.db, id);
    if (!agent) throw notFound("No such agent", { path: id });
    if (agent.status === "lost" && !this.slots.has(id)) await this.endLeftover(agent);
    if (isTerminal(agent.status)) return agent;
    const slot = this.slots.get(id);
    if (!slot) return this.killElsewhere(agent);
    this.terminate(slot, "killed");
    return this.settled(id, slot);
  }

  /**
   * On start: ends the processes of the runs this instance's previous process left unfinished, then marks
   * those runs lost (no process here can finish them).
   */
  async loseInterrupted(): Promise<AgentRecord[]> {
    const { db, instanceId } = this.options;
    for (const agent of await interruptedRuns(db, instanceId)) {
      // One run's processes that can't be ended must not keep the instance from starting.
      await this.endLeftover(agent).catch((error: unknown) =>
        this.options.log.error("the processes of an interrupted agent could not be ended", { agent: agent.id, error }),
      );
    }
    return loseInterrupted(db, instanceId);
  }

  // Only this instance's own runs: its pids mean nothing on another host. The start time check in
  // endLeftoverRun keeps a pid the kernel has handed to another process from being signalled.
  private async endLeftover(agent: AgentRecord): Promise<void> {
    if (agent.pid === null || agent.pidStart === null || agent.runsOn !== null) return;
    if (agent.instanceId !== this.options.instanceId) return;
    const { killGraceMs } = this.options.settings().limits;
    const ended = await endLeftoverRun({ pid: agent.pid, startTime: agent.pidStart }, killGraceMs);
    if (!ended) throw new TesseraError("ERR_INTERNAL", `Processes of agent ${agent.id} outlived SIGKILL`, { path: agent.id });
    this.options.log.info("ended the processes of an interrupted agent", { agent: agent.id, pid: agent.pid });
  }

  // Carries out the kills other instances recorded for runs here.
  private async killRequested(): Promise<void> {
    for (const id of await killsRequested(this.options.db, this.options.instanceId)) {
      const slot = this.slots.get(id);
      if (slot) this.terminate(slot, "killed");
    }
  }

  // The owner sees the request within KILL_POLL_MS and then takes as long as a kill here takes.
  private async killElsewhere(agent: AgentRecord): Promise<AgentRecord> {
    const { db } = this.options;
    const waitMs = KILL_POLL_MS + this.options.settings().limits.killGraceMs + 5000;
    if (!(await requestKill(db, agent.id))) return (await getAgent(db, agent.id)) ?? agent;
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      await Bun.sleep(KILL_WAIT_POLL_MS);
      const current = await getAgent(db, agent.id);
      if (!current) throw notFound("No such agent", { path: agent.id });
      if (isTerminal(current.status)) return current;
    }
    // The instance's name (a host name) stays in the log: the answer may go to a peer.
    this.options.log.warn("the instance running an agent did not carry out its kill", {
      agent: agent.id,
      instance: agent.instanceId,
    });
    throw fedError(
      "ERR_AGENT_ELSEWHERE",
      504,
      `The instance running this agent did not end it within ${waitMs} ms; it ends it if it is up, and marks it lost when it starts again`,
      { path: agent.id },
    );
  }

  private watchKills() {
    this.killPoll ??= setInterval(() => {
      this.killRequested().catch((error: unknown) => this.options.log.warn("looking for kill requests failed", { error }));
    }, KILL_POLL_MS);
  }

  /** Ends every run (of one peer, when given) and waits for them to be recorded. */
  async terminateAll(reason: EndReason, peerId?: string): Promise<void> {
    const waits: Promise<AgentRecord>[] = [];
    for (const [id, slot] of this.slots) {
      if (peerId !== undefined && slot.peerId !== peerId) continue;
      this.terminate(slot, reason);
      waits.push(this.settled(id, slot));
    }
    await Promise.all(waits);
  }

  private async oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.commands.get(key) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(work);
    this.commands.set(key, current);
    try {
      return await current;
    } finally {
      if (this.commands.get(key) === current) this.commands.delete(key);
    }
  }

  // Synchronous, so two spawns can't both pass the check before either is counted.
  private reserve(id: string, peerId: string | null, limits: RunnerLimits): Slot {
    const { maxConcurrent, maxConcurrentPerPeer, killGraceMs } = limits;
    if (this.slots.size >= maxConcurrent) throw limitReached(`This instance runs at most ${maxConcurrent} agents at once`);
    if (peerId !== null) {
      let mine = 0;
      for (const slot of this.slots.values()) if (slot.peerId === peerId) mine += 1;
      if (mine >= maxConcurrentPerPeer) throw limitReached(`A peer may run at most ${maxConcurrentPerPeer} agents here at once`);
    }
    const { promise, resolve } = Promise.withResolvers<AgentRecord>();
    const slot: Slot = { peerId, killGraceMs, signalled: false, timers: [], done: promise, resolve };
    this.slots.set(id, slot);
    this.watchKills();
    return slot;
  }

  private async start(request: SpawnRequest, run: Run, commandId: string | null) {
    const { type, input, timeoutMs, limits } = run;
    const id = crypto.randomUUID();
    const slot = this.reserve(id, request.peerId, limits);
    let queued: AgentRecord;
    try {
      queued = await insertAgent(this.options.db, {
        id,
        peerId: request.peerId,
        runsOn: null,
        instanceId: this.options.instanceId,
        workspaceId: request.workspaceId,
        agentType: type.name,
        status: "queued",
        input,
        timeoutMs,
        commandId,
        ...actorColumns(request.actor),
        createdAt: Date.now(),
      });
    } catch (error) {
      this.release(id);
      throw error;
    }
    await this.changed(queued);
    return this.launch(queued, run, slot);
  }

  private async launch(agent: AgentRecord, { type, timeoutMs, limits }: Run, slot: Slot): Promise<AgentRecord> {
    let proc: Process;
    try {
      proc = Bun.spawn(type.argv, {
        cwd: this.options.cwd,
        env: { ...type.env },
        stdin: "pipe",
        stdout: "pipe",
        stderr: "pipe",
        // setsid: the run is its own session and process group, so a signal to the group reaches all of it.
        detached: true,
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return this.finish(agent.id, slot, { status: "failed", output: `Could not start ${type.argv[0]}: ${reason}` });
    }
    slot.proc = proc;
    slot.run = { pid: proc.pid, startTime: processStartTime(proc.pid) };
    const tail = new OutputTail(limits.outputTailBytes);
    const { outputBytes } = type.limits;
    const pushed = () => {
      if (outputBytes === null || tail.total <= outputBytes || slot.reason) return;
      slot.note = `output passed the type's limit of ${outputBytes} bytes; the run was ended`;
      this.terminate(slot, "failed");
    };
    const reading = Promise.all([pump(proc.stdout, tail, pushed), pump(proc.stderr, tail, pushed)]);
    void this.feed(proc, agent);
    slot.timers.push(setTimeout(() => this.terminate(slot, "timed_out"), timeoutMs));
    // Killed while it was starting.
    if (slot.reason) this.terminate(slot, slot.reason);
    const running = await advanceAgent(this.options.db, byId(this.options.db, agent.id), {
      status: "running",
      pid: proc.pid,
      pidStart: slot.run.startTime,
      startedAt: Date.now(),
    });
    if (running) await this.changed(running);
    void this.watch(agent.id, slot, proc, reading, tail);
    return running ?? agent;
  }

  private async feed(proc: Process, agent: AgentRecord) {
    try {
      proc.stdin.write(JSON.stringify({ agentId: agent.id, agentType: agent.agentType, input: agent.input }));
      await proc.stdin.end();
    } catch (error) {
      this.options.log.debug("agent closed its stdin before reading the task", { agent: agent.id, error });
    }
  }

  private async watch(id: string, slot: Slot, proc: Process, reading: Promise<unknown>, tail: OutputTail) {
    try {
      await proc.exited;
      await this.endRest(slot);
      await Promise.race([reading, Bun.sleep(DRAIN_MS)]);
      const status = slot.reason ?? (proc.exitCode === 0 ? "completed" : "failed");
      const output = slot.note === undefined ? tail.text() : `${tail.text()}\n[tessera] ${slot.note}\n`;
      await this.finish(id, slot, { status, exitCode: proc.exitCode, output });
    } catch (error) {
      this.options.log.error("recording an agent's end failed", { agent: id, error });
    }
  }

  private terminate(slot: Slot, reason: StopReason) {
    slot.reason ??= reason;
    const { run } = slot;
    if (!run || slot.signalled) return;
    slot.signalled = true;
    slot.signalledAt = Date.now();
    this.signal(run, "SIGTERM");
    slot.timers.push(setTimeout(() => this.signal(run, "SIGKILL"), slot.killGraceMs));
  }

  // The run is over once its first process exits: what it started and left behind (a daemon, a
  // background job) goes too, on the terms of a kill.
  private async endRest(slot: Slot) {
    const { run } = slot;
    // Without a start time there is no telling whether anything is left, so the group is signalled anyway.
    if (!run || (run.startTime !== null && !runAlive(run))) return;
    // Not terminate(): a run whose first process ended by itself keeps its own status.
    if (!slot.signalled) {
      slot.signalled = true;
      slot.signalledAt = Date.now();
      this.signal(run, "SIGTERM");
    }
    const deadline = (slot.signalledAt ?? Date.now()) + slot.killGraceMs;
    while (runAlive(run) && Date.now() < deadline) await Bun.sleep(REST_POLL_MS);
    this.signal(run, "SIGKILL");
  }

  private signal(run: RunProcess, signal: NodeJS.Signals) {
    try {
      signalRun(run, signal, { ownChild: true });
    } catch (error) {
      this.options.log.error("signalling an agent's processes failed", { pid: run.pid, signal, error });
    }
  }

  private async settled(id: string, slot: Slot): Promise<AgentRecord> {
    const bound = Bun.sleep(slot.killGraceMs + 5000).then(() => null);
    const ended = await Promise.race([slot.done, bound]);
    if (ended) return ended;
    const agent = await getAgent(this.options.db, id);
    if (!agent) throw notFound("No such agent", { path: id });
    return agent;
  }

  private async finish(
    id: string,
    slot: Slot,
    end: { status: AgentStatus; exitCode?: number | null; output: string },
  ): Promise<AgentRecord> {
    for (const timer of slot.timers) clearTimeout(timer);
    this.release(id);
    const ended = await advanceAgent(this.options.db, byId(this.options.db, id), { ...end, endedAt: Date.now() });
    const agent = ended ?? (await getAgent(this.options.db, id));
    if (!agent) throw new TesseraError("ERR_INTERNAL", `Agent ${id} vanished while it ran`);
    if (ended) await this.changed(ended);
    slot.resolve(agent);
    return agent;
  }

  private release(id: string) {
    this.slots.delete(id);
    if (this.slots.size > 0) return;
    clearInterval(this.killPoll);
    this.killPoll = undefined;
  }

  private async changed(agent: AgentRecord) {
    try {
      await this.options.onChange(agent);
    } catch (error) {
      this.options.log.error("an agent's change could not be reported", { agent: agent.id, error });
    }
  }
}
