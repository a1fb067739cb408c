// Builds one plugin instance's parts from its ctx: identity (id and keys, created on first start), the
// peer cache, replay cache, outbox and agent runner. Nothing is started here; the plugin's start does that.
// The parts read the config in force through `live`, which a reload replaces (live-config.ts).

import { type PluginContext, TesseraError } from "tessera/plugin";
import type { AgentRecord } from "./agents/agent-store";
import { agentView, wireAgent } from "./agents/agent-view";
import { AgentRunner } from "./agents/runner";
import type { FederationConfig } from "./config";
import type { Federation, SelfIdentity } from "./federation";
import { CAPABILITIES, type IdentityDocument } from "./identity/document";
import { loadInstanceId } from "./identity/instance-id";
import { KeyStore } from "./identity/key-store";
import { ReplayCache } from "./inbox/replay-cache";
import { type LiveConfig, liveConfig } from "./live-config";
import { Outbox } from "./outbox/outbox";
import { PeerCache } from "./peers/peer-cache";
import { PROTOCOL } from "./wire/constants";
import { sendMessage } from "./wire/send";

const fixed = (live: LiveConfig) => () => live;

/** Without `live` (a CLI command, which never reloads), on the config it was given. */
export const createFederation = (
  ctx: PluginContext<FederationConfig>,
  live: () => LiveConfig = fixed(liveConfig(ctx, ctx.config)),
): Federation => {
  // The settings that keep their start-up values (live-config.ts) are read from here.
  const { config, db, log } = ctx;
  // The id and keys live in the database, which `tessera check` does not migrate: they are read on
  // start (or by loadIdentity), never in setup.
  let identity: { self: SelfIdentity; keys: KeyStore } | undefined;
  const loaded = () => {
    if (!identity) throw new TesseraError("ERR_INTERNAL", "The federation identity is read on start; the plugin has not started");
    return identity;
  };
  const peers = new PeerCache(db);
  const { outboxAttempts, baseDelayMs, maxDelayMs } = config.delivery;
  const attempts = ctx.metrics.counter({
    name: "tessera_federation_outbox_messages_total",
    help: "Messages to peers by what became of each attempt: delivered, retried later, or dead (given up).",
    labelNames: ["outcome"],
  });
  const outbox = new Outbox({
    db,
    log: log.child({ component: "outbox" }),
    peers,
    send: (peer, type, body) => sendMessage(fed, peer, type, body),
    policy: { attempts: outboxAttempts, baseDelayMs, maxDelayMs },
    counted: (outcome) => attempts.labels(outcome).inc(),
  });
  ctx.metrics.gauge({
    name: "tessera_federation_outbox_pending",
    help: "Messages waiting for a peer.",
    collect: (gauge) => gauge.set(outbox.pending()),
  });
  const reportAgent = async (agent: AgentRecord) => {
    if (agent.peerId !== null) await outbox.enqueue(agent.peerId, "event", { name: "agent.updated", agent: wireAgent(agent) });
    if (agent.workspaceId !== null) await ctx.events.publish(agent.workspaceId, "agent.updated", agentView(agent));
  };
  const runner = new AgentRunner({
    db,
    log: log.child({ component: "agents" }),
    instanceId: ctx.instance.instanceId,
    settings: () => live().agents,
    cwd: ctx.instance.baseDir,
    onChange: reportAgent,
  });
  const fed: Federation = {
    get config() {
      return live().config;
    },
    db,
    fetch: ctx.fetch,
    log,
    events: ctx.events,
    auth: ctx.auth,
    get self() {
      return loaded().self;
    },
    get keys() {
      return loaded().keys;
    },
    peers,
    replay: new ReplayCache(db),
    outbox,
    runner,
    async loadIdentity() {
      if (identity) return;
      const [id, keys] = await Promise.all([loadInstanceId(db), KeyStore.open(db)]);
      identity = { self: { id, name: config.name ?? new URL(ctx.instance.publicUrl).host, url: ctx.instance.publicUrl }, keys };
    },
    document: (): IdentityDocument => {
      const { self, keys } = loaded();
      return {
        protocol: PROTOCOL,
        id: self.id,
        name: self.name,
        url: self.url,
        keys: keys.publicJwks(),
        capabilities: CAPABILITIES,
      };
    },
    reportAgent,
  };
  return fed;
};
