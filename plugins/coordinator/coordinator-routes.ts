// The job API a coordinator service drives with its API key: create, move through the lifecycle, read.
// A key bound to workspaces reaches only their jobs: any other job id is 404, as if it did not exist.
import type { TSchema } from "@sinclair/typebox";
import { Elysia } from "elysia";
import { andThen, answerNow, JsonBody, type MaybePromise, notFound, responses } from "tessera/plugin";
import type { Database } from "tessera/plugin/db";
import { changeJob, type JobChange } from "./change-job";
import { createFromRequest } from "./create-from-request";
import type { PublishJob } from "./publish";
import { activeCounts, findJob } from "./read-jobs";
import type { Service } from "./require-service";
import {
  CompleteBody,
  CoordinatorHealth,
  CreateJobBody,
  FailBody,
  Job,
  JobParams,
  JobWithEvents,
  ProgressBody,
  StatusBody,
} from "./schemas";

export interface RouteDeps {
  db: Database;
  publish: PublishJob;
  requireService: (request: Request) => MaybePromise<Service>;
  /** The webhook's signature check over the body's bytes (webhook-signature.ts). */
  checkSignature: (request: Request, service: Service, body: Uint8Array) => Promise<void>;
}

const tags = ["coordinator"];
const security = [{ apiKey: [] }];
const changed = responses({ 200: Job }, 401, 403, 404, 409, 422);

export const coordinatorRoutes = ({ db, publish, requireService }: RouteDeps) => {
  // Every body route: the caller must be a service before its body is read, then strict JSON.
  const serviceJson = <S extends TSchema>(schema: S) => JsonBody(schema, requireService);
  const change = async (request: Request, jobId: string, what: JobChange) => {
    const service = await requireService(request);
    const { job, event } = await changeJob(db, jobId, what, service.name, service.workspaces);
    await publish(event, job);
    return job;
  };

  return new Elysia()
    .post(
      "/coordinator/jobs",
      async ({ request, body, set }) =>
        createFromRequest({ db, publish }, await requireService(request), request, set, { ...body, source: "coordinator" }),
      {
        ...serviceJson(CreateJobBody),
        detail: {
          summary: "Create a job (Idempotency-Key makes retries safe)",
          description:
            "The Idempotency-Key is the sending API key's own, per route and workspace. A key bound to workspaces gets 403 for any other workspace.",
          tags,
          security,
          responses: responses({ 200: Job, 201: Job }, 401, 403, 409, 422),
        },
      },
    )
    .patch(
      "/coordinator/jobs/:id/status",
      ({ request, params, body }) => change(request, params.id, { kind: "status", ...body }),
      {
        params: JobParams,
        ...serviceJson(StatusBody),
        detail: { summary: "Move a job to another state (illegal moves are 409)", tags, security, responses: changed },
      },
    )
    .patch(
      "/coordinator/jobs/:id/progress",
      ({ request, params, body }) => change(request, params.id, { kind: "progress", ...body }),
      {
        params: JobParams,
        ...serviceJson(ProgressBody),
        detail: { summary: "Report a running job's progress (0-100)", tags, security, responses: changed },
      },
    )
    .post(
      "/coordinator/jobs/:id/complete",
      ({ request, params, body }) => change(request, params.id, { kind: "complete", ...body }),
      {
        params: JobParams,
        ...serviceJson(CompleteBody),
        detail: { summary: "Complete a running job with its result", tags, security, responses: changed },
      },
    )
    .post("/coordinator/jobs/:id/fail", ({ request, params, body }) => change(request, params.id, { kind: "fail", ...body }), {
      params: JobParams,
      ...serviceJson(FailBody),
      detail: { summary: "Fail a pending or running job", tags, security, responses: changed },
    })
    .get(
      "/coordinator/jobs/:id",
      async ({ request, params }) => {
        const service = await requireService(request);
        const job = await findJob(db, params.id, service.workspaces);
        if (!job) throw notFound("No job has this id", { path: params.id });
        return job;
      },
      {
        params: JobParams,
        detail: {
          summary: "A job with its latest events",
          tags,
          security,
          responses: responses({ 200: JobWithEvents }, 401, 403, 404),
        },
      },
    )
    .get(
      "/coordinator/health",
      answerNow(({ request }) =>
        andThen(requireService(request), (service) =>
          andThen(activeCounts(db, service.workspaces), (jobs) => ({ status: "ok", service: service.name, jobs })),
        ),
      ),
      {
        detail: {
          summary: "The coordinator API's health, as the calling service sees it",
          tags,
          security,
          responses: responses({ 200: CoordinatorHealth }, 401, 403),
        },
      },
    );
};
