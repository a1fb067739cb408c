// "Last seen" for sessions without a write per request: touches collect in memory and reach the
// database in one statement at most once per interval, and on close (the runtime closes this
// before the database at shutdown).
import { inArray, sql } from "drizzle-orm";
import type { Database } from "../db/database";

export interface LastSeenBatcher {
  /** Notes that a session was used at `at`; cheap, never touches the database. */
  touch(sessionId: string, at?: number): void;
  /** Writes what was noted so far; resolves how many sessions' touches it wrote. */
  flush(): Promise<number>;
  /** Stops the timer and flushes. */
  close(): Promise<void>;
  /** Sessions noted but not written yet. */
  readonly pending: number;
}

export interface LastSeenOptions {
  intervalMs?: number;
  /** Where a flush that the timer started reports its failure (its touches are kept for the next one). */
  onError: (error: unknown) => void;
}

// Two parameters per session plus its id in the IN list stays well under both dialects' limits.
const CHUNK = 500;

const write = async (db: Database, batch: Map<string, number>): Promise<void> => {
  const { sessions } = db.tables;
  const entries = [...batch];
  for (let start = 0; start < entries.length; start += CHUNK) {
    const chunk = entries.slice(start, start + CHUNK);
    // CAST: PostgreSQL can't infer a type for a CASE of bare parameters.
    const cases = sql.join(
      chunk.map(([id, at]) => sql`WHEN ${id} THEN CAST(${at} AS bigint)`),
      sql` `,
    );
    await db.orm
      .update(sessions)
      .set({ lastSeenAt: sql`CASE ${sql.identifier("id")} ${cases} END` })
      .where(
        inArray(
          sessions.id,
          chunk.map(([id]) => id),
        ),
      );
  }
};

export const createLastSeenBatcher = (db: Database, { intervalMs = 60_000, onError }: LastSeenOptions): LastSeenBatcher => {
  let pending = new Map<string, number>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  // Flushes run one after another, so close() waits for one the timer started.
  let queue: Promise<unknown> = Promise.resolve();

  const note = (sessionId: string, at: number) => {
    const known = pending.get(sessionId);
    if (known === undefined || at > known) pending.set(sessionId, at);
  };

  const schedule = () => {
    if (timer || closed || pending.size === 0) return;
    timer = setTimeout(() => {
      timer = undefined;
      flush().catch(onError);
    }, intervalMs);
    // A pending touch alone must not keep the process alive.
    timer.unref();
  };

  const flushNow = async (): Promise<number> => {
    if (pending.size === 0) return 0;
    const batch = pending;
    pending = new Map();
    try {
      await write(db, batch);
      return batch.size;
    } catch (error) {
      for (const [sessionId, at] of batch) note(sessionId, at);
      schedule();
      throw error;
    }
  };

  const flush = (): Promise<number> => {
    clearTimeout(timer);
    timer = undefined;
    const run = queue.then(flushNow);
    // The caller gets this flush's failure; the queue only needs to know it is over.
    queue = run.catch(() => undefined);
    return run;
  };

  return {
    touch(sessionId, at = Date.now()) {
      note(sessionId, at);
      schedule();
    },
    flush,
    async close() {
      closed = true;
      await flush();
    },
    get pending() {
      return pending.size;
    },
  };
};
