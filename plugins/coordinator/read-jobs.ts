// Reading jobs: one job with its recent history, a workspace's jobs newest first, and live counts.

import { andThen, type MaybePromise } from "tessera/plugin";
import { and, count, type Database, desc, eq, inArray, lt, or, preparedPer, rowsOf, type SQL, sql } from "tessera/plugin/db";
import { type Cursor, encodeCursor } from "./cursor";
import { type Job, type JobEvent, type JobSummary, jobColumns, summaryColumns, toJob, toSummary } from "./job";
import type { Reach } from "./workspace-reach";

/** A long-running job can report progress thousands of times; its view shows the latest of them. */
export const MAX_EVENTS = 500;

export interface JobWithEvents extends Job {
  events: JobEvent[];
  /** True when older events exist beyond the ones shown. */
  eventsTruncated: boolean;
}

const parseData = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

/** Jobs in the given workspaces; no condition for a reach of every workspace. */
export const inReach = (db: Database, reach: Reach): SQL | undefined =>
  reach === undefined ? undefined : inArray(db.tables.jobs.workspaceId, [...reach]);

/** The job (only if it belongs to one of the `reach` workspaces) with its latest events, oldest first. */
export const findJob = async (db: Database, jobId: string, reach: Reach): Promise<JobWithEvents | null> => {
  const { jobs, jobEvents } = db.tables;
  const [row] = await db.orm
    .select(jobColumns(db.tables))
    .from(jobs)
    .where(and(eq(jobs.id, jobId), inReach(db, reach)));
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

// How many jobs wait and run right now, across the workspaces the caller reaches.
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

/** Synchronous on SQLite for an unbound key, so the health poll costs no promise there. */
export const activeCounts = (db: Database, reach: Reach): MaybePromise<ActiveCounts> => {
  if (reach === undefined) return andThen(rowsOf(db, countActive(db)), tally);
  const { jobs } = db.tables;
  const rows = db.orm
    .select({ status: jobs.status, n: count() })
    .from(jobs)
    .where(and(sql`${jobs.status} in ('pending', 'running')`, inReach(db, reach)))
    .groupBy(jobs.status);
  return rows.then(tally);
};
