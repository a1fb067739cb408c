// Reading jobs: one job with its recent history, a workspace's jobs newest first, and live counts.

import { and, count, desc, eq, lt, or, sql } from "drizzle-orm";
import { andThen } from "../../core/async/maybe-promise";
import type { Database } from "../../core/db/database";
import { preparedPer, rowsOf } from "../../core/db/prepared";
import { type Cursor, encodeCursor } from "./cursor";
import { type Job, type JobEvent, type JobSummary, jobColumns, summaryColumns, toJob, toSummary } from "./job";

/** A long-running job can report progress thousands of times; its view shows the latest of them. */
export const MAX_EVENTS = 500;

export interface JobWithEvents extends Job {
  events: JobEvent[];
  /** True when older events exist beyond the ones shown. */
  eventsTruncated: boolean;
}

const parseData = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

/** The job (optionally only if it belongs to `workspaceId`) with its latest events, oldest first. */
export const findJob = async (db: Database, jobId: string, workspaceId?: string): Promise<JobWithEvents | null> => {
  const { jobs, jobEvents } = db.tables;
  const where = workspaceId === undefined ? eq(jobs.id, jobId) : and(eq(jobs.id, jobId), eq(jobs.workspaceId, workspaceId));
  const [row] = await db.orm.select(jobColumns(db.tables)).from(jobs).where(where);
  if (!row) return null;
  const events = await db.orm
    .select({ id: jobEvents.id, type: jobEvents.type, data: jobEvents.data, createdAt: jobEvents.createdAt })
    .from(jobEvents)
    .where(eq(jobEvents.jobId, jobId))
    .orderBy(desc(jobEvents.id))
    .limit(MAX_EVENTS + 1);
  const shown = events.slice(0, MAX_EVENTS).reverse();
  return {
    ...toJob(row),
    events: shown.map((event) => ({ ...event, data: parseData(event.data) })),
    eventsTruncated: events.length > MAX_EVENTS,
  };
};

export interface JobPage {
  jobs: JobSummary[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export const listJobs = async (
  db: Database,
  workspaceId: string,
  { limit, cursor, status }: { limit: number; cursor?: Cursor; status?: string },
): Promise<JobPage> => {
  const { jobs } = db.tables;
  const rows = await db.orm
    .select(summaryColumns(db.tables))
    .from(jobs)
    .where(
      and(
        eq(jobs.workspaceId, workspaceId),
        status === undefined ? undefined : eq(jobs.status, status),
        cursor === undefined
          ? undefined
          : or(lt(jobs.createdAt, cursor.createdAt), and(eq(jobs.createdAt, cursor.createdAt), lt(jobs.id, cursor.id))),
      ),
    )
    .orderBy(desc(jobs.createdAt), desc(jobs.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit).map(toSummary);
  const last = page.at(-1);
  return { jobs: page, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
};

/** How many jobs wait and run right now, across workspaces. */
// Coordinators poll /coordinator/health, so its one query is prepared once per database. Its statuses are
// literals, not bound parameters: the statement never varies, so nothing need be filled in and bound per poll.
const countActive = preparedPer((db: Database) => {
  const { jobs } = db.tables;
  return db.orm
    .select({ status: jobs.status, n: count() })
    .from(jobs)
    .where(sql`${jobs.status} in ('pending', 'running')`)
    .groupBy(jobs.status)
    .prepare("tessera_coordinator_active_counts");
});

interface ActiveCounts {
  pending: number;
  running: number;
}

const tally = (rows: { status: string; n: number }[]): ActiveCounts => {
  const counts = { pending: 0, running: 0 };
  for (const { status, n } of rows) {
    if (status === "pending") counts.pending = n;
    else if (status === "running") counts.running = n;
  }
  return counts;
};

/** Synchronous on SQLite, so the health poll costs no promise there. */
export const activeCounts = (db: Database): ActiveCounts | Promise<ActiveCounts> => {
  const rows = rowsOf(db, countActive(db));
  return andThen(rows, tally);
};
