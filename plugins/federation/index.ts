// The federation plugin: peered Tessera instances exchanging signed commands, and agents (configured
// commands) that members run here or, through a peer, on another instance. See docs/federation.md.
import { Elysia } from "elysia";
import { TesseraError } from "../../core/errors/tessera-error";
import { definePlugin } from "../../core/plugins/define-plugin";
import type { PluginContext } from "../../core/plugins/plugin-context";
import { agentRoutes } from "./agents/agent-routes";
import { anonymousLimits } from "./anonymous-limits";
import { type FederationConfig, FederationConfigSchema, federationGrants } from "./config";
import { createFederation } from "./create-federation";
import type { Federation } from "./federation";
import { identityRoutes } from "./identity/identity-routes";
import { inboxRoute } from "./inbox/inbox-route";
import { peerRoutes } from "./peers/peer-routes";
import { Reconciler } from "./remote/reconciler";
import { remoteRoutes } from "./remote/remote-routes";
import { guestRoutes } from "./sign-in/guest-routes";
import { homeRoute } from "./sign-in/home-route";
import { shareRoutes } from "./sign-in/share-routes";
import { purgeExpiredSignIns } from "./sign-in/single-use";

const PRUNE_EVERY_MS = 60_000;

interface Instance {
  fed: Federation;
  reconciler: Reconciler;
  pruner?: ReturnType<typeof setInterval>;
}

// Keyed by the ctx setup got; any ctx may be looked up (the CLI holds it as a plain PluginContext).
const instances = new WeakMap<PluginContext, Instance>();

const instanceOf = (ctx: PluginContext<FederationConfig>): Instance => {
  const instance = instances.get(ctx);
  if (!instance) throw new TesseraError("ERR_INTERNAL", "The federation plugin was started without being set up");
  return instance;
};

/** The federation set up with this ctx, its identity loaded, for the CLI; undefined for any other plugin's ctx. */
export const federationOf = async (ctx: PluginContext): Promise<Federation | undefined> => {
  const fed = instances.get(ctx)?.fed;
  await fed?.loadIdentity();
  return fed;
};

export default definePlugin({
  name: "federation",
  version: "1.0.0",
  config: FederationConfigSchema,
  permissions: federationGrants,
  setup(ctx) {
    const fed = createFederation(ctx);
    instances.set(ctx, { fed, reconciler: new Reconciler(fed) });
    const received = ctx.metrics.counter({
      name: "tessera_federation_inbox_messages_total",
      help: "Messages posted to the federation inbox, by outcome (ok or the refusal's code).",
      labelNames: ["outcome"],
    });
    const anonymous = anonymousLimits(ctx);
    return new Elysia({ name: "federation" })
      .use(identityRoutes(fed))
      .use(inboxRoute(fed, received, anonymous))
      .use(peerRoutes(fed))
      .use(remoteRoutes(fed))
      .use(agentRoutes(fed))
      .use(homeRoute(fed))
      .use(guestRoutes(fed, anonymous))
      .use(shareRoutes(fed));
  },
  async start(ctx) {
    const instance = instanceOf(ctx);
    const { fed } = instance;
    await fed.loadIdentity();
    // Runs this instance's previous process left unfinished can't be finished by this one; other
    // instances' runs are theirs to finish.
    for (const agent of await fed.runner.loseInterrupted()) await fed.reportAgent(agent);
    await fed.outbox.start();
    instance.reconciler.start();
    instance.pruner = setInterval(() => {
      fed.replay.prune().catch((error: unknown) => fed.log.warn("pruning federation messages failed", { error }));
      purgeExpiredSignIns(fed.db).catch((error: unknown) => fed.log.warn("pruning federated sign-ins failed", { error }));
    }, PRUNE_EVERY_MS);
  },
  async stop(ctx) {
    const instance = instanceOf(ctx);
    clearInterval(instance.pruner);
    await instance.reconciler.stop();
    // Agents are stopped before the outbox, so their final reports are stored for the next start to send.
    await instance.fed.runner.terminateAll("lost");
    await instance.fed.outbox.stop();
  },
  health(ctx) {
    const { fed } = instanceOf(ctx);
    return { ok: true, detail: `${fed.runner.running()} agents running, ${fed.outbox.pending()} messages waiting for peers` };
  },
});
