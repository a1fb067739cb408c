// The job API a coordinator service drives with its API key: create, move through the lifecycle, read.
import { Elysia } from "elysia";
import { andThen, type MaybePromise } from "../../core/async/maybe-promise";
import type { Database } from "../../core/db/database";
import { notFound } from "../../core/errors/tessera-error";
import { answerNow } from "../../core/http/answer-now";
import { changeJob, type JobChange } from "./change-job";
import { createJob } from "./create-job";
import { idempotencyKeyOf } from "./idempotency-key";
import type { PublishJob } from "./publish";
import { activeCounts, findJob } from "./read-jobs";
import type { Service } from "./require-service";
import { CompleteBody, CreateJobBody, FailBody, JobParams, ProgressBody, StatusBody } from "./schemas";

export interface RouteDeps {
  db: Database;
  publish: PublishJob;
  requireService: (request: Request) => MaybePromise<Service>;
  /** The parse hook of every route with a body: a service's JSON only, checked before reading it. */
  checkBody: (context: { request: Request }) => Promise<undefined>;
}

const tags = ["coordinator"];

export const coordinatorRoutes = ({ db, publish, requireService, checkBody }: RouteDeps) => {
  const change = async (request: Request, jobId: string, what: JobChange) => {
    const service = await requireService(request);
    const { job, event } = await changeJob(db, jobId, what, service.name);
    await publish(event, job);
    return job;
  };

  return new Elysia()
    .post(
      "/coordinator/jobs",
      async ({ request, body, set }) => {
        const service = await requireService(request);
        const { job, created } = await createJob(db, {
          workspaceId: body.workspaceId,
          type: body.type,
          title: body.title ?? null,
          payload: body.payload,
          idempotencyKey: idempotencyKeyOf(request),
          source: "coordinator",
          by: service.name,
        });
        if (created) await publish("job.created", job);
        else set.headers["idempotent-replayed"] = "true";
        set.status = created ? 201 : 200;
        return job;
      },
      {
        body: CreateJobBody,
        parse: checkBody,
        detail: { summary: "Create a job (Idempotency-Key makes retries safe)", tags },
      },
    )
    .patch(
      "/coordinator/jobs/:id/status",
      ({ request, params, body }) => change(request, params.id, { kind: "status", ...body }),
      {
        params: JobParams,
        body: StatusBody,
        parse: checkBody,
        detail: { summary: "Move a job to another state (illegal moves are 409)", tags },
      },
    )
    .patch(
      "/coordinator/jobs/:id/progress",
      ({ request, params, body }) => change(request, params.id, { kind: "progress", ...body }),
      {
        params: JobParams,
        body: ProgressBody,
        parse: checkBody,
        detail: { summary: "Report a running job's progress (0-100)", tags },
      },
    )
    .post(
      "/coordinator/jobs/:id/complete",
      ({ request, params, body }) => change(request, params.id, { kind: "complete", ...body }),
      {
        params: JobParams,
        body: CompleteBody,
        parse: checkBody,
        detail: { summary: "Complete a running job with its result", tags },
      },
    )
    .post("/coordinator/jobs/:id/fail", ({ request, params, body }) => change(request, params.id, { kind: "fail", ...body }), {
      params: JobParams,
      body: FailBody,
      parse: checkBody,
      detail: { summary: "Fail a pending or running job", tags },
    })
    .get(
      "/coordinator/jobs/:id",
      answerNow(({ request, params }) =>
        andThen(requireService(request), async () => {
          const id = params.id ?? "";
          const job = await findJob(db, id);
          if (!job) throw notFound("No job has this id", { path: id });
          return job;
        }),
      ),
      { params: JobParams, detail: { summary: "A job with its latest events", tags } },
    )
    .get(
      "/coordinator/health",
      answerNow(({ request }) =>
        andThen(requireService(request), (service) =>
          andThen(activeCounts(db), (jobs) => ({ status: "ok", service: service.name, jobs })),
        ),
      ),
      { detail: { summary: "The coordinator API's health, as the calling service sees it", tags } },
    );
};
