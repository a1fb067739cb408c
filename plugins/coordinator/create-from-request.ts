// The creating routes' common step: the key must reach the workspace, the Idempotency-Key is the
// sender's own, and a replay answers 200 with Idempotent-Replayed where a new job answers 201.

import type { Database } from "tessera/plugin/db";
import { createJob } from "./create-job";
import { idempotencyKeyOf } from "./idempotency-key";
import type { Job, JobSource } from "./job";
import type { PublishJob } from "./publish";
import type { Service } from "./require-service";
import { requireReach } from "./workspace-reach";

export interface JobRequest {
  workspaceId: string;
  type: string;
  title?: string;
  payload?: unknown;
  source: JobSource;
}

interface ResponseSet {
  status?: number | string;
  headers: Record<string, string | number>;
}

export const createFromRequest = async (
  { db, publish }: { db: Database; publish: PublishJob },
  service: Service,
  request: Request,
  set: ResponseSet,
  job: JobRequest,
): Promise<Job> => {
  requireReach(service, job.workspaceId);
  const result = await createJob(db, {
    ...job,
    title: job.title ?? null,
    idempotencyKey: idempotencyKeyOf(request),
    by: service.name,
  });
  if (result.created) await publish("job.created", result.job);
  else set.headers["idempotent-replayed"] = "true";
  set.status = result.created ? 201 : 200;
  return result.job;
};
