// What a SIGHUP may change in a running federation plugin: every setting read when it is used (limits
// on anonymous requests, bounds on pending peers and sign-ins, command delivery, key rotation overlap,
// guest sessions, when a remote agent counts as lost) and the agents a spawn may start. Runs already
// going keep their terms. The instance's name, the hosts peers may live on (the plugin's net grant), the
// outbox's retry policy and the reconcile interval are set at start and keep their start-up values.
import { PermissionDenied, type PluginContext, restartOnly } from "tessera/plugin";
import { resolveAgentTypes } from "./agents/agent-types";
import type { RunnerSettings } from "./agents/runner";
import type { FederationConfig } from "./config";

export interface LiveConfig {
  config: FederationConfig;
  agents: RunnerSettings;
}

const RESTART_ONLY = [
  "name",
  "peers.allowedHosts",
  "delivery.outboxAttempts",
  "delivery.baseDelayMs",
  "delivery.maxDelayMs",
  "reconcile.intervalMs",
];

/** Resolves the agent types: a program that can't be found is ERR_CONFIG_INVALID naming its type's path. */
export const liveConfig = (ctx: PluginContext<FederationConfig>, config: FederationConfig): LiveConfig => {
  const { maxConcurrent, maxConcurrentPerPeer, killGraceMs, outputTailBytes } = config.agents;
  return {
    config,
    agents: {
      types: resolveAgentTypes(config.agents.types, ctx.instance.baseDir, () => ctx.env("PATH")),
      limits: { maxConcurrent, maxConcurrentPerPeer, killGraceMs, outputTailBytes },
    },
  };
};

/** What a reload to `next` runs on, and the changed settings that keep their start-up values. */
export const reloadedConfig = (
  ctx: PluginContext<FederationConfig>,
  current: LiveConfig,
  next: FederationConfig,
): { live: LiveConfig; needsRestart: string[] } => {
  const { config, needsRestart } = restartOnly(ctx.config, next, RESTART_ONLY);
  try {
    return { live: liveConfig(ctx, config), needsRestart };
  } catch (error) {
    // PATH is granted at start, and only when a type configured then needed it (a bare program name,
    // or prlimit for memory and CPU limits): the types in force stay until a restart grants it.
    if (!(error instanceof PermissionDenied)) throw error;
    const kept = { ...config, agents: { ...config.agents, types: current.config.agents.types } };
    return { live: liveConfig(ctx, kept), needsRestart: [...needsRestart, "agents.types"] };
  }
};
