// Creating a job, idempotently: the unique index on (sender, route, workspace, key) decides between
// concurrent retries, so however many arrive at once, one job exists and every retry gets that job back.
// A key belongs to the API key that sent it: another sender's same key is simply a different key.

import { TesseraError } from "tessera/plugin";
import { and, type Database, eq, transaction } from "tessera/plugin/db";
import { type Job, type JobRow, type JobSource, jobColumns, toJob } from "./job";
import { serializeDocument } from "./limits";

export interface NewJob {
  workspaceId: string;
  type: string;
  title: string | null;
  payload?: unknown;
  idempotencyKey: string | null;
  /** The route that asked; with `by` and the workspace, the scope of the Idempotency-Key. */
  source: JobSource;
  /** The service (its API key's name) that asked, for the job's history and the key's scope. */
  by: string;
}

const unknownWorkspace = () =>
  new TesseraError("ERR_WORKSPACE_UNKNOWN", "No workspace has this id", {
    status: 422,
    path: "/workspaceId",
    details: { errors: [{ path: "/workspaceId", message: "no such workspace", in: "body" }] },
  });

const idempotencyMismatch = () =>
  new TesseraError(
    "ERR_IDEMPOTENCY_MISMATCH",
    "This Idempotency-Key was already used for a different request; use a new key for a new job",
    { status: 422, path: "Idempotency-Key" },
  );

/** A retry must repeat the original request (its workspace is part of the key); the payload is compared as JSON, so key order doesn't matter. */
const sameRequest = (row: JobRow, job: NewJob, payload: string | null): boolean =>
  row.type === job.type &&
  row.title === job.title &&
  (row.payload === payload || Bun.deepEquals(JSON.parse(row.payload ?? "null"), JSON.parse(payload ?? "null"), true));

export const createJob = async (db: Database, job: NewJob): Promise<{ job: Job; created: boolean }> => {
  const payload = serializeDocument(job.payload, "payload");
  const { jobs, jobEvents, workspaces } = db.tables;
  return transaction(db, async (tx) => {
    // No LIMIT on a primary-key lookup: a bound LIMIT costs bun:sqlite more than the lookup.
    const [workspace] = await tx.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.id, job.workspaceId));
    if (!workspace) throw unknownWorkspace();
    const now = Date.now();
    const [row] = await tx
      .insert(jobs)
      .values({
        // UUIDv7: ids ascend with creation, so "newest first" is well defined within a millisecond too.
        id: Bun.randomUUIDv7(),
        workspaceId: job.workspaceId,
        type: job.type,
        title: job.title,
        status: "pending",
        progress: 0,
        payload,
        idempotencyKey: job.idempotencyKey,
        ...(job.idempotencyKey === null ? {} : { idempotencySender: job.by, idempotencyRoute: job.source }),
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing({ target: [jobs.idempotencySender, jobs.idempotencyRoute, jobs.workspaceId, jobs.idempotencyKey] })
      .returning(jobColumns(db.tables));
    if (row) {
      await tx.insert(jobEvents).values({
        jobId: row.id,
        type: "job.created",
        data: JSON.stringify({ status: "pending", source: job.source, by: job.by }),
        createdAt: now,
      });
      return { job: toJob(row), created: true };
    }
    // The key is taken: by a finished earlier attempt, or (PostgreSQL) by a concurrent one this insert waited for.
    const key = job.idempotencyKey;
    const [existing] =
      key === null
        ? []
        : await tx
            .select(jobColumns(db.tables))
            .from(jobs)
            .where(
              and(
                eq(jobs.idempotencySender, job.by),
                eq(jobs.idempotencyRoute, job.source),
                eq(jobs.workspaceId, job.workspaceId),
                eq(jobs.idempotencyKey, key),
              ),
            );
    if (!existing) throw new TesseraError("ERR_INTERNAL", "Inserting a job returned no row and no job holds its key");
    if (!sameRequest(existing, job, payload)) throw idempotencyMismatch();
    return { job: toJob(existing), created: false };
  });
};
