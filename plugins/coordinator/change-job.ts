// Every change to a job is one conditional UPDATE (… WHERE status IN the allowed sources) and its
// job_events row, in one transaction: concurrent updates can't both pass the state check. It answers
// with the job's summary: a progress report shouldn't read back a 64 KiB payload.

import { notFound } from "tessera/plugin";
import { and, type Database, eq, inArray, transaction } from "tessera/plugin/db";
import { type JobEventName, type JobStatus, type JobSummary, summaryColumns, toSummary } from "./job";
import { serializeDocument } from "./limits";
import { inReach } from "./read-jobs";
import { eventFor, illegalTransition, PROGRESS_SOURCES, sourcesOf } from "./state-machine";
import type { Reach } from "./workspace-reach";

export type JobChange =
  | { kind: "status"; status: JobStatus; message?: string }
  | { kind: "progress"; progress: number; message?: string }
  | { kind: "complete"; result?: unknown; message?: string }
  | { kind: "fail"; error: string; message?: string };

interface Plan {
  sources: readonly JobStatus[];
  set: { status?: JobStatus; progress?: number; message?: string; result?: string | null; error?: string };
  event: JobEventName;
  /** What the 409 says the caller tried. */
  attempted: string;
}

const plan = (change: JobChange): Plan => {
  const message = change.message === undefined ? {} : { message: change.message };
  switch (change.kind) {
    case "status":
      return {
        sources: sourcesOf(change.status),
        set: { status: change.status, ...(change.status === "completed" ? { progress: 100 } : {}), ...message },
        event: eventFor(change.status),
        attempted: `become ${change.status}`,
      };
    case "progress":
      return {
        sources: PROGRESS_SOURCES,
        set: { progress: change.progress, ...message },
        event: "job.progress",
        attempted: "report progress (only a running job can)",
      };
    case "complete":
      return {
        sources: sourcesOf("completed"),
        set: { status: "completed", progress: 100, result: serializeDocument(change.result, "result"), ...message },
        event: "job.completed",
        attempted: "complete",
      };
    case "fail":
      return {
        sources: sourcesOf("failed"),
        set: { status: "failed", error: change.error, ...message },
        event: "job.failed",
        attempted: "fail",
      };
  }
};

/** What the job's history records of a change: the new values, not the stored result. */
const eventData = (change: JobChange, job: JobSummary, by: string) => ({
  status: job.status,
  progress: job.progress,
  ...(change.message === undefined ? {} : { message: change.message }),
  ...(change.kind === "fail" ? { error: change.error } : {}),
  by,
});

export const changeJob = async (
  db: Database,
  jobId: string,
  change: JobChange,
  by: string,
  reach: Reach,
): Promise<{ job: JobSummary; event: JobEventName }> => {
  const { sources, set, event, attempted } = plan(change);
  const { jobs, jobEvents } = db.tables;
  // A job outside the key's workspaces is not found, exactly like one that does not exist.
  const thisJob = and(eq(jobs.id, jobId), inReach(db, reach));
  return transaction(db, async (tx) => {
    const now = Date.now();
    const [row] =
      sources.length === 0
        ? []
        : await tx
            .update(jobs)
            .set({ ...set, updatedAt: now })
            .where(and(thisJob, inArray(jobs.status, [...sources])))
            .returning(summaryColumns(db.tables));
    if (!row) {
      const [current] = await tx.select({ status: jobs.status }).from(jobs).where(thisJob);
      if (!current) throw notFound("No job has this id", { path: jobId });
      throw illegalTransition(jobId, current.status, attempted);
    }
    const job = toSummary(row);
    await tx.insert(jobEvents).values({
      jobId,
      type: event,
      data: JSON.stringify(eventData(change, job, by)),
      createdAt: now,
    });
    return { job, event };
  });
};
