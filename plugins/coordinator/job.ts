// A job as the API shows it, and how a stored row becomes one. JSON documents are stored as text.
import type { Tables } from "tessera/plugin/db";

export const JOB_STATUSES = ["pending", "running", "completed", "failed", "cancelled"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export type JobEventName = "job.created" | "job.status" | "job.progress" | "job.completed" | "job.failed";

/** Where a job came from, recorded on its `job.created` event. */
export type JobSource = "coordinator" | "stitcher.webhook" | "stitcher.dispatch";

export interface JobSummary {
  id: string;
  workspaceId: string | null;
  type: string;
  title: string | null;
  /** A JobStatus for the jobs this plugin writes; kept a string since the table is shared. */
  status: string;
  progress: number;
  message: string | null;
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface Job extends JobSummary {
  payload: unknown;
  result: unknown;
}

export interface JobEvent {
  id: number;
  type: string;
  data: unknown;
  createdAt: number;
}

export const jobColumns = ({ jobs }: Tables) => ({
  id: jobs.id,
  workspaceId: jobs.workspaceId,
  type: jobs.type,
  title: jobs.title,
  status: jobs.status,
  progress: jobs.progress,
  message: jobs.message,
  payload: jobs.payload,
  result: jobs.result,
  error: jobs.error,
  idempotencyKey: jobs.idempotencyKey,
  createdAt: jobs.createdAt,
  updatedAt: jobs.updatedAt,
});

export const summaryColumns = ({ jobs }: Tables) => ({
  id: jobs.id,
  workspaceId: jobs.workspaceId,
  type: jobs.type,
  title: jobs.title,
  status: jobs.status,
  progress: jobs.progress,
  message: jobs.message,
  error: jobs.error,
  createdAt: jobs.createdAt,
  updatedAt: jobs.updatedAt,
});

export type JobRow = JobSummary & { payload: string | null; result: string | null; idempotencyKey: string | null };

const parseJson = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

export const toSummary = (row: JobSummary): JobSummary => ({
  id: row.id,
  workspaceId: row.workspaceId,
  type: row.type,
  title: row.title,
  status: row.status,
  progress: row.progress,
  message: row.message,
  error: row.error,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

export const toJob = (row: JobRow): Job => ({
  ...toSummary(row),
  payload: parseJson(row.payload),
  result: parseJson(row.result),
});
