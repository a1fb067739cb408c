// Inbound events that become jobs: a chat bot's webhook, and a manual dispatch. Both honour Idempotency-Key,
// so a sender's redelivery never makes a second job. The webhook's body is read here, as sent, so that its
// signature (webhook-signature.ts) is checked over the very bytes the sender signed.
import { Elysia } from "elysia";
import { JsonBody, parseJsonBytes, requireJsonContentType, responses } from "tessera/plugin";
import type { RouteDeps } from "./coordinator-routes";
import { createFromRequest } from "./create-from-request";
import { CreateJobBody, Job, WebhookBody } from "./schemas";

const tags = ["coordinator"];

const SIGNATURE_PARAMETER = {
  in: "header" as const,
  name: "X-Tessera-Signature",
  required: false,
  description:
    't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>"> under the key\'s coordinator.webhookSecrets entry: required from a key that has one, refused from a key that has none. Five minutes either way; each signature is accepted once (409 ERR_WEBHOOK_REPLAY).',
  schema: { type: "string" as const },
};

export const stitcherRoutes = ({ db, publish, requireService, checkSignature }: RouteDeps) => {
  // Caller and Content-Type first (nothing is read for a refused caller), then the bytes, then the signature.
  const signedBody = async ({ request }: { request: Request }): Promise<unknown> => {
    const service = await requireService(request);
    requireJsonContentType(request);
    const bytes = new Uint8Array(await request.arrayBuffer());
    await checkSignature(request, service, bytes);
    return parseJsonBytes(bytes);
  };

  return new Elysia()
    .post(
      "/stitcher/webhook",
      async ({ request, set, body }) =>
        createFromRequest({ db, publish }, await requireService(request), request, set, {
          workspaceId: body.workspaceId,
          type: body.event,
          title: body.title,
          payload: body.data,
          source: "stitcher.webhook",
        }),
      {
        body: WebhookBody,
        parse: signedBody,
        detail: {
          summary: "An inbound event (chat bot webhook) that becomes a job",
          description:
            "Signed with X-Tessera-Signature when the sending key has a webhook secret. The Idempotency-Key is the sending key's own.",
          parameters: [SIGNATURE_PARAMETER],
          tags,
          security: [{ apiKey: [] }],
          responses: responses({ 200: Job, 201: Job }, 401, 403, 409, 422),
        },
      },
    )
    .post(
      "/stitcher/dispatch",
      async ({ request, set, body }) =>
        createFromRequest({ db, publish }, await requireService(request), request, set, { ...body, source: "stitcher.dispatch" }),
      {
        ...JsonBody(CreateJobBody, requireService),
        detail: {
          summary: "Dispatch a job by hand",
          tags,
          security: [{ apiKey: [] }],
          responses: responses({ 200: Job, 201: Job }, 401, 403, 409, 422),
        },
      },
    );
};
