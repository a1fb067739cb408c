// The federation plugin: peered Tessera instances exchanging signed commands, and agents (configured
// commands) that members run here or, through a peer, on another instance. See docs/federation.md.
import { Elysia } from "elysia";
import { definePlugin } from "tessera/plugin";
import { agentRoutes } from "./agents/agent-routes";
import { anonymousLimits } from "./anonymous-limits";
import { peersAccept, peersAdd, peersList, peersSuspend } from "./cli";
import { FederationConfigSchema, federationGrants } from "./config";
import { createFederation } from "./create-federation";
import { identityRoutes } from "./identity/identity-routes";
import { inboxRoute, tooLarge } from "./inbox/inbox-route";
import { liveConfig, reloadedConfig } from "./live-config";
import { peerRoutes } from "./peers/peer-routes";
import { Reconciler } from "./remote/reconciler";
import { remoteRoutes } from "./remote/remote-routes";
import { guestRoutes } from "./sign-in/guest-routes";
import { homeRoute } from "./sign-in/home-route";
import { shareRoutes } from "./sign-in/share-routes";
import { purgeExpiredSignIns } from "./sign-in/single-use";
import { INBOX_PATH, MAX_MESSAGE_BYTES } from "./wire/constants";

const PRUNE_EVERY_MS = 60_000;

export default definePlugin({
  name: "federation",
  version: "1.0.0",
  config: FederationConfigSchema,
  permissions: federationGrants,
  commands: [peersAdd, peersList, peersAccept, peersSuspend],
  setup(ctx) {
    // Replaced whole on reload; a request or spawn reads it once, so it never sees half of a change.
    let live = liveConfig(ctx, ctx.config);
    const fed = createFederation(ctx, () => live);
    const reconciler = new Reconciler(fed);
    const received = ctx.metrics.counter({
      name: "tessera_federation_inbox_messages_total",
      help: "Messages posted to the federation inbox, by outcome (ok or the refusal's code).",
      labelNames: ["outcome"],
    });
    const anonymous = anonymousLimits(ctx, () => live.config);
    const routes = new Elysia({ name: "federation" })
      .use(identityRoutes(fed))
      .use(inboxRoute(fed, received, anonymous))
      .use(peerRoutes(fed))
      .use(remoteRoutes(fed))
      .use(agentRoutes(fed))
      .use(homeRoute(fed))
      .use(guestRoutes(fed, anonymous))
      .use(shareRoutes(fed));
    let pruner: ReturnType<typeof setInterval> | undefined;
    return {
      routes,
      // Refused with the inbox's own code before reading, however large the declared body.
      bodyLimits: [{ path: INBOX_PATH, bytes: MAX_MESSAGE_BYTES, refuse: tooLarge }],
      async start() {
        await fed.loadIdentity();
        // Runs this instance's previous process left unfinished can't be finished by this one; other
        // instances' runs are theirs to finish.
        for (const agent of await fed.runner.loseInterrupted()) await fed.reportAgent(agent);
        await fed.outbox.start();
        reconciler.start();
        pruner = setInterval(() => {
          fed.replay.prune().catch((error: unknown) => fed.log.warn("pruning federation messages failed", { error }));
          purgeExpiredSignIns(fed.db).catch((error: unknown) => fed.log.warn("pruning federated sign-ins failed", { error }));
        }, PRUNE_EVERY_MS);
      },
      async stop() {
        clearInterval(pruner);
        await reconciler.stop();
        // Agents are stopped before the outbox, so their final reports are stored for the next start to send.
        await fed.runner.terminateAll("lost");
        await fed.outbox.stop();
      },
      health: () => ({
        ok: true,
        detail: `${fed.runner.running()} agents running, ${fed.outbox.pending()} messages waiting for peers`,
      }),
      reload(config) {
        const { live: next, needsRestart } = reloadedConfig(ctx, live, config);
        const apply = () => {
          live = next;
        };
        return { apply, needsRestart };
      },
    };
  },
});
