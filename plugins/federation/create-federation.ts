// Builds one plugin instance's parts from its ctx: identity (id and keys, created on first start), the
// peer cache, replay cache, outbox and agent runner. Nothing is started here; the plugin's start does that.
import type { PluginContext } from "../../core/plugins/plugin-context";
import type { AgentRecord } from "./agents/agent-store";
import { resolveAgentTypes } from "./agents/agent-types";
import { agentView, wireAgent } from "./agents/agent-view";
import { AgentRunner } from "./agents/runner";
import type { FederationConfig } from "./config";
import type { Federation } from "./federation";
import { CAPABILITIES, type IdentityDocument } from "./identity/document";
import { loadInstanceId } from "./identity/instance-id";
import { KeyStore } from "./identity/key-store";
import { ReplayCache } from "./inbox/replay-cache";
import { Outbox } from "./outbox/outbox";
import { PeerCache } from "./peers/peer-cache";
import { PROTOCOL } from "./wire/constants";
import { sendMessage } from "./wire/send";

export const createFederation = async (ctx: PluginContext<FederationConfig>): Promise<Federation> => {
  const { config, db, log } = ctx;
  const types = resolveAgentTypes(config.agents.types, ctx.instance.baseDir, () => ctx.env("PATH"));
  const [id, keys] = await Promise.all([loadInstanceId(db), KeyStore.open(db)]);
  const self = { id, name: config.name ?? new URL(ctx.instance.publicUrl).host, url: ctx.instance.publicUrl };
  const document = (): IdentityDocument => ({
    protocol: PROTOCOL,
    id,
    name: self.name,
    url: self.url,
    keys: keys.publicJwks(),
    capabilities: CAPABILITIES,
  });
  const peers = new PeerCache(db);
  const sendDeps = { self, keys, fetch: ctx.fetch, config };
  const { outboxAttempts, baseDelayMs, maxDelayMs } = config.delivery;
  const outbox = new Outbox({
    db,
    log: log.child({ component: "outbox" }),
    peers,
    send: (peer, type, body) => sendMessage(sendDeps, peer, type, body),
    policy: { attempts: outboxAttempts, baseDelayMs, maxDelayMs },
  });
  const reportAgent = async (agent: AgentRecord) => {
    if (agent.peerId !== null) await outbox.enqueue(agent.peerId, "event", { name: "agent.updated", agent: wireAgent(agent) });
    if (agent.workspaceId !== null) await ctx.events.publish(agent.workspaceId, "agent.updated", agentView(agent));
  };
  const { maxConcurrent, maxConcurrentPerPeer, killGraceMs, outputTailBytes } = config.agents;
  const runner = new AgentRunner({
    db,
    log: log.child({ component: "agents" }),
    types,
    cwd: ctx.instance.baseDir,
    limits: { maxConcurrent, maxConcurrentPerPeer, killGraceMs, outputTailBytes },
    onChange: reportAgent,
  });
  return {
    config,
    db,
    fetch: ctx.fetch,
    log,
    events: ctx.events,
    auth: ctx.auth,
    self,
    keys,
    peers,
    replay: new ReplayCache(db),
    outbox,
    runner,
    document,
    reportAgent,
  };
};
