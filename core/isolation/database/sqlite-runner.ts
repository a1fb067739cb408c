// An isolated plugin's SQLite statements, run one at a time on a thread of their own (sqlite-thread.ts)
// and each answered by its deadline, the wait for its turn included. bun:sqlite cannot stop a statement
// and a terminated thread ends only when its statement does: past the deadline the thread is terminated
// and left behind, and the next statement gets a fresh one on the same file. A statement that never ends
// keeps its thread busy for good, so a plugin leaves only so many behind; beyond, its statements answer
// 503 until one of them ends.
import { databaseTimedOut, databaseUnavailable } from "../../db/unreachable";
import type { Logger } from "../../log/logger";
import type { DbQueryParams, DbQueryResult } from "../wire/protocol";
import { logAppliedMigrations } from "./plugin-migrations-in";
import { SqliteThread } from "./sqlite-thread";
import type { Opened, SqliteRequest } from "./sqlite-worker-protocol";

// Each one left behind may hold a CPU core until the process ends.
const MAX_LEFT_BEHIND = 2;

interface Pending {
  params: DbQueryParams;
  resolve: (result: DbQueryResult) => void;
  reject: (error: unknown) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class SqliteRunner {
  readonly #open: Extract<SqliteRequest, { kind: "open" }>;
  readonly #deadlineMs: number;
  readonly #log: Logger;
  #thread?: SqliteThread;
  #queue: Pending[] = [];
  #running?: Pending;
  readonly #leftBehind = new Set<SqliteThread>();
  #closed = false;

  constructor(open: Extract<SqliteRequest, { kind: "open" }>, deadlineMs: number, log: Logger) {
    this.#open = open;
    this.#deadlineMs = deadlineMs;
    this.#log = log;
  }

  /** Opens the file on the first thread, with no deadline: a long migration is not a stuck one. */
  async start(): Promise<Opened> {
    return (await this.#fresh()).opened;
  }

  query(params: DbQueryParams): Promise<DbQueryResult> {
    if (this.#closed) return Promise.reject(databaseUnavailable(new Error("the plugin's SQLite database is closed")));
    return new Promise((resolve, reject) => {
      const pending: Pending = { params, resolve, reject, timer: setTimeout(() => this.#expire(pending), this.#deadlineMs) };
      this.#queue.push(pending);
      this.#next();
    });
  }

  /** Closes the file and ends its thread; a thread busy with a statement is terminated, not waited for. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const busy = this.#running !== undefined;
    const closing = databaseUnavailable(new Error("the plugin's SQLite database is closing"));
    for (const pending of [...(this.#running ? [this.#running] : []), ...this.#queue]) {
      clearTimeout(pending.timer);
      pending.reject(closing);
    }
    this.#running = undefined;
    this.#queue = [];
    const thread = this.#thread;
    this.#thread = undefined;
    if (busy) thread?.terminate();
    else await thread?.close(this.#deadlineMs);
  }

  #next(): void {
    if (this.#running !== undefined) return;
    const pending = this.#queue.shift();
    if (pending === undefined) return;
    this.#running = pending;
    this.#run(pending.params).then(
      (result) => this.#finish(pending, () => pending.resolve(result)),
      (error: unknown) => this.#finish(pending, () => pending.reject(error)),
    );
  }

  async #run(params: DbQueryParams): Promise<DbQueryResult> {
    return (await this.#ready()).query(params);
  }

  #finish(pending: Pending, answer: () => void): void {
    // Past its deadline, the statement was answered already and its thread left behind.
    if (this.#running !== pending) return;
    this.#running = undefined;
    clearTimeout(pending.timer);
    answer();
    this.#next();
  }

  #expire(pending: Pending): void {
    if (this.#running === pending) {
      this.#running = undefined;
      this.#leaveBehind();
    } else {
      this.#queue = this.#queue.filter((waiting) => waiting !== pending);
    }
    pending.reject(databaseTimedOut(this.#deadlineMs));
    // Once the other timers due now have fired: statements whose deadline passed with this one's are
    // answered, not started on a fresh thread only to leave it behind too.
    setImmediate(() => this.#next());
  }

  /** The thread to run the next statement on: the current one while it answers, else a fresh one. */
  async #ready(): Promise<SqliteThread> {
    if (this.#thread?.alive) return this.#thread;
    this.#thread?.terminate();
    if (this.#leftBehind.size >= MAX_LEFT_BEHIND) {
      throw databaseUnavailable(
        new Error(`${this.#leftBehind.size} of the plugin's SQLite statements still run past their deadline`),
      );
    }
    return (await this.#fresh()).thread;
  }

  /** A new thread with the file open and the plugin's migrations applied. */
  async #fresh(): Promise<{ thread: SqliteThread; opened: Opened }> {
    const thread = new SqliteThread((reason) =>
      this.#log.error("an isolated plugin's SQLite thread failed", { plugin: this.#open.plugin, reason }),
    );
    this.#thread = thread;
    try {
      const opened = await thread.open(this.#open);
      logAppliedMigrations(this.#log, this.#open.plugin, opened.applied);
      return { thread, opened };
    } catch (error) {
      if (this.#thread === thread) this.#thread = undefined;
      thread.terminate();
      throw error;
    }
  }

  #leaveBehind(): void {
    const thread = this.#thread;
    this.#thread = undefined;
    if (thread === undefined) return;
    thread.terminate();
    this.#leftBehind.add(thread);
    void thread.ended.then(() => this.#leftBehind.delete(thread));
    this.#log.warn("an isolated plugin's SQLite statement ran past its deadline: its thread is terminated and left to end", {
      plugin: this.#open.plugin,
      deadlineMs: this.#deadlineMs,
      leftBehind: this.#leftBehind.size,
    });
  }
}
