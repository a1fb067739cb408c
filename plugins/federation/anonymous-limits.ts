// Requests anyone may send that make this instance keep something (a pending sign-in, a replay marker
// and a pending peer): limited per client address, so one client can't fill what they store.
import { type PeerAddress, type PluginContext, type RateRule, rateLimited } from "tessera/plugin";
import type { FederationConfig } from "./config";

const MINUTE_MS = 60_000;

/** Each throws ERR_RATE_LIMITED (429, Retry-After) when this client address has spent its allowance. */
export interface AnonymousLimits {
  signInStart(request: Request, peer: PeerAddress | null): Promise<void>;
  connectionRequest(request: Request, peer: PeerAddress | null): Promise<void>;
}

/** `config` is read at each request, so a reloaded allowance applies to the next one. */
export const anonymousLimits = (ctx: PluginContext<FederationConfig>, config: () => FederationConfig): AnonymousLimits => {
  const limit =
    (bucket: string, perMinute: (config: FederationConfig) => number) => async (request: Request, peer: PeerAddress | null) => {
      const rule: RateRule = { limit: perMinute(config()), windowMs: MINUTE_MS };
      const decision = await ctx.limits.consume(`${bucket}:${ctx.clientAddress(request, peer)}`, rule);
      if (!decision.allowed) throw rateLimited(decision);
    };
  return {
    signInStart: limit("fed-sign-in", ({ guests }) => guests.signInsPerMinute),
    connectionRequest: limit("fed-connect", ({ peers }) => peers.requestsPerMinute),
  };
};
