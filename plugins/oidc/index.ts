// Single sign-on with one or several OpenID Connect providers (Authentik, Keycloak, …): /auth/login,
// /auth/login/:provider, /auth/callback, /auth/logout, /auth/backchannel-logout,
// /auth/frontchannel-logout and /auth/providers, plus the providers' access tokens as bearer
// credentials, and instance admins and workspace roles from the providers' groups.
import { Elysia } from "elysia";
import { definePlugin } from "tessera/plugin";
import { accessTokenResolver, type TokenProvider } from "./access-token";
import { type OidcConfig, OidcConfigSchema } from "./config";
import { Introspector } from "./introspection";
import { type ProviderClient, RelyingParty } from "./relying-party";
import { backchannelLogoutRoute } from "./routes/backchannel-logout";
import { callbackRoute } from "./routes/callback";
import { frontchannelLogoutRoute } from "./routes/frontchannel-logout";
import { loginRoute } from "./routes/login";
import { logoutRoute } from "./routes/logout";
import { providersRoute } from "./routes/providers";

// After sessions (0), before the catch-all resolvers other plugins may add at the default (100).
const ACCESS_TOKEN_ORDER = 50;

// Built once: all but the clock tolerance, which a reload may change, need a restart (reload-settings.ts).
const tokenProvider = (rp: RelyingParty, { settings, connection }: ProviderClient): TokenProvider => {
  const { issuer, audience, clientId, clientSecret } = settings;
  return {
    issuer,
    audience,
    requireAccessTokenType: settings.requireAccessTokenType,
    get clockToleranceSeconds() {
      return rp.settings.clockToleranceSeconds;
    },
    connection,
    introspector: settings.introspection
      ? new Introspector({ fetch: rp.ctx.fetch, credentials: { clientId, clientSecret }, issuer, audience })
      : undefined,
  };
};

const registerAccessTokens = (rp: RelyingParty) => {
  const providers = rp.providers
    .filter(({ settings }) => settings.audience !== undefined || settings.introspection)
    .map((client) => tokenProvider(rp, client));
  if (providers.length === 0) return;
  const accessTokens = accessTokenResolver({
    providers,
    db: rp.ctx.db,
    isAdmin: rp.ctx.auth.isAdmin,
    cacheTtlMs: rp.ctx.config.accessTokenCacheMs,
  });
  rp.ctx.onStop(accessTokens.close);
  rp.ctx.auth.register("oidc-access-token", accessTokens.resolver, ACCESS_TOKEN_ORDER);
};

// Every provider's host: discovery, keys, tokens and userinfo usually live on the issuer's.
const issuerHosts = (config: OidcConfig): string[] => {
  const issuers = config.providers?.map((provider) => provider.issuer) ?? (config.issuer ? [config.issuer] : []);
  return [...new Set(issuers.map((issuer) => new URL(issuer).host))];
};

export default definePlugin({
  name: "oidc",
  version: "1.0.0",
  config: OidcConfigSchema,
  permissions: (config) => ({ net: issuerHosts(config), routes: ["/auth"] }),
  setup(ctx) {
    const rp = new RelyingParty(ctx);
    // A cleanup, not a stop hook: it also runs when start failed part-way (timers may be running).
    ctx.onStop(() => rp.stop());
    registerAccessTokens(rp);
    const routes = new Elysia({ name: "oidc" })
      .use(loginRoute(rp))
      .use(callbackRoute(rp))
      .use(logoutRoute(rp))
      .use(backchannelLogoutRoute(rp))
      .use(frontchannelLogoutRoute(rp))
      .use(providersRoute(rp));
    return { routes, start: () => rp.start(), health: () => rp.health(), reload: (config) => rp.reload(config) };
  },
});
