// The job lifecycle: pending → running → completed | failed | cancelled. A pending job may also be
// cancelled or fail before it starts; terminal states never change; progress moves only while running.
import { conflict, type TesseraError } from "tessera/plugin";
import type { JobEventName, JobStatus } from "./job";

const SOURCES: Record<JobStatus, readonly JobStatus[]> = {
  pending: [],
  running: ["pending"],
  completed: ["running"],
  failed: ["pending", "running"],
  cancelled: ["pending", "running"],
};

/** The states a job may be in for a move to `target`. */
export const sourcesOf = (target: JobStatus): readonly JobStatus[] => SOURCES[target];

export const PROGRESS_SOURCES: readonly JobStatus[] = ["running"];

export const eventFor = (target: JobStatus): JobEventName =>
  target === "completed" ? "job.completed" : target === "failed" ? "job.failed" : "job.status";

/** 409 naming the job's current state, so a retrying client can tell "already done" from "wrong order". */
export const illegalTransition = (jobId: string, current: string, attempted: string): TesseraError =>
  conflict(`The job is ${current}, so it cannot ${attempted}`, {
    path: jobId,
    details: { currentStatus: current, attempted },
  });
