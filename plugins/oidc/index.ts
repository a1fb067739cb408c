// Single sign-on with an OpenID Connect provider (Authentik, Keycloak, …): /auth/login, /auth/callback,
// /auth/logout and /auth/backchannel-logout, plus the provider's access tokens as bearer credentials.
import { Elysia } from "elysia";
import { TesseraError } from "../../core/errors/tessera-error";
import { definePlugin } from "../../core/plugins/define-plugin";
import type { PluginContext } from "../../core/plugins/plugin-context";
import { accessTokenResolver } from "./access-token";
import { type OidcConfig, OidcConfigSchema } from "./config";
import { Introspector } from "./introspection";
import { RelyingParty } from "./relying-party";
import { backchannelLogoutRoute } from "./routes/backchannel-logout";
import { callbackRoute } from "./routes/callback";
import { loginRoute } from "./routes/login";
import { logoutRoute } from "./routes/logout";

// After sessions (0), before the catch-all resolvers other plugins may add at the default (100).
const ACCESS_TOKEN_ORDER = 50;

const parties = new WeakMap<PluginContext<OidcConfig>, RelyingParty>();

const partyOf = (ctx: PluginContext<OidcConfig>): RelyingParty => {
  const rp = parties.get(ctx);
  if (!rp) throw new TesseraError("ERR_INTERNAL", "The oidc plugin was started without being set up");
  return rp;
};

const registerAccessTokens = (rp: RelyingParty) => {
  const { config } = rp.ctx;
  if (config.audience === undefined && !config.introspection) return;
  const credentials = { clientId: config.clientId, clientSecret: config.clientSecret };
  rp.ctx.auth.register(
    "oidc-access-token",
    accessTokenResolver({
      issuer: config.issuer,
      audience: config.audience,
      requireAccessTokenType: config.requireAccessTokenType,
      clockToleranceSeconds: config.clockToleranceSeconds,
      connection: rp.connection,
      introspector: config.introspection
        ? new Introspector({ fetch: rp.ctx.fetch, credentials, issuer: config.issuer, audience: config.audience })
        : undefined,
      db: rp.ctx.db,
      isAdmin: rp.ctx.auth.isAdmin,
    }),
    ACCESS_TOKEN_ORDER,
  );
};

export default definePlugin({
  name: "oidc",
  version: "1.0.0",
  config: OidcConfigSchema,
  permissions: (config) => ({ net: [new URL(config.issuer).host], routes: ["/auth"] }),
  setup(ctx) {
    const rp = new RelyingParty(ctx);
    parties.set(ctx, rp);
    // A cleanup, not a stop hook: it also runs when start failed part-way (timers may be running).
    ctx.onStop(() => rp.stop());
    registerAccessTokens(rp);
    return new Elysia({ name: "oidc" })
      .use(loginRoute(rp))
      .use(callbackRoute(rp))
      .use(logoutRoute(rp))
      .use(backchannelLogoutRoute(rp));
  },
  start: (ctx) => partyOf(ctx).start(),
  health: (ctx) => partyOf(ctx).health(),
});
