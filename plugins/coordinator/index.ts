// The coordinator plugin: the job API an external coordinator drives with an API key, the stitcher's
// inbound events that become jobs, and members' read access to their workspace's jobs.
import { Elysia, t } from "elysia";
import { definePlugin } from "tessera/plugin";
import { coordinatorRoutes } from "./coordinator-routes";
import { jobPublisher } from "./publish";
import { type Service, serviceOf } from "./require-service";
import { stitcherRoutes } from "./stitcher-routes";
import { WebhookSecrets, webhookSignatureCheck } from "./webhook-signature";
import { workspaceJobRoutes } from "./workspace-job-routes";

const SERVICE_PREFIXES = ["/coordinator", "/stitcher"];

export default definePlugin({
  name: "coordinator",
  version: "0.1.0",
  requires: ["api-key"],
  config: t.Object({ webhookSecrets: WebhookSecrets }),
  permissions: () => ({ routes: [...SERVICE_PREFIXES, "/workspaces/:id/jobs"] }),
  setup(ctx) {
    const checkOf = (secrets: Record<string, string>) => webhookSignatureCheck({ secrets, seen: ctx.once });
    // Swapped whole on reload: a delivery is checked against the old secrets or the new ones.
    let check = checkOf(ctx.config.webhookSecrets);
    const deps = {
      db: ctx.db,
      publish: jobPublisher(ctx.events, ctx.log),
      requireService: serviceOf(ctx.auth),
      checkSignature: (request: Request, service: Service, body: Uint8Array) => check(request, service, body),
    };
    return {
      routes: new Elysia().use(coordinatorRoutes(deps)).use(stitcherRoutes(deps)).use(workspaceJobRoutes(ctx.db, ctx.auth)),
      reload(config) {
        const next = checkOf(config.webhookSecrets);
        return () => {
          check = next;
        };
      },
    };
  },
});
