// Inbound events that become jobs: a chat bot's webhook, and a manual dispatch. Both honour Idempotency-Key,
// so a sender's redelivery never makes a second job.
import { Elysia } from "elysia";
import type { RouteDeps } from "./coordinator-routes";
import { createJob } from "./create-job";
import { idempotencyKeyOf } from "./idempotency-key";
import type { JobSource } from "./job";
import { CreateJobBody, WebhookBody } from "./schemas";

const tags = ["coordinator"];

export const stitcherRoutes = ({ db, publish, requireService, checkBody }: RouteDeps) => {
  const create = async (
    request: Request,
    set: { status?: number | string; headers: Record<string, string | number> },
    job: { workspaceId: string; type: string; title?: string; payload?: unknown; source: JobSource },
  ) => {
    const service = await requireService(request);
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

  return new Elysia()
    .post(
      "/stitcher/webhook",
      ({ request, set, body }) =>
        create(request, set, {
          workspaceId: body.workspaceId,
          type: body.event,
          title: body.title,
          payload: body.data,
          source: "stitcher.webhook",
        }),
      {
        body: WebhookBody,
        parse: checkBody,
        detail: { summary: "An inbound event (chat bot webhook) that becomes a job", tags },
      },
    )
    .post("/stitcher/dispatch", ({ request, set, body }) => create(request, set, { ...body, source: "stitcher.dispatch" }), {
      body: CreateJobBody,
      parse: checkBody,
      detail: { summary: "Dispatch a job by hand", tags },
    });
};
