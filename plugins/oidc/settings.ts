// plugins.oidc resolved against the server settings: the defaults that depend on publicUrl, and the
// few rules the schema can't say.
import { parseDuration } from "../../core/cli/parse-duration";
import { TesseraError } from "../../core/errors/tessera-error";
import type { InstanceInfo } from "../../core/plugins/plugin-context";
import type { OidcConfig } from "./config";

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  tokenEndpointAuthMethod?: "client_secret_basic" | "client_secret_post";
  redirectUri: string;
  /**
   * Where sign-in cookies are sent: the callback's folder (/auth), so both /auth/login (which drops
   * stale ones) and /auth/callback see them, also behind a proxy that adds a path prefix.
   */
  flowCookiePath: string;
  scopes: string[];
  postLogoutRedirectUri: string;
  sessionTtlMs: number;
  clockToleranceSeconds: number;
  /** Cookies get Secure when the site is served over https. */
  secureCookies: boolean;
}

export const resolveSettings = (config: OidcConfig, instance: InstanceInfo): OidcSettings => {
  if (!config.scopes.includes("openid")) {
    throw new TesseraError("ERR_CONFIG_INVALID", 'plugins.oidc.scopes must include "openid"', { path: "plugins.oidc.scopes" });
  }
  const redirectUri = config.redirectUri ?? `${instance.publicUrl}/auth/callback`;
  return {
    issuer: config.issuer,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    tokenEndpointAuthMethod: config.tokenEndpointAuthMethod,
    redirectUri,
    flowCookiePath: new URL(redirectUri).pathname.replace(/\/[^/]*$/, "") || "/",
    scopes: config.scopes,
    postLogoutRedirectUri: config.postLogoutRedirectUri ?? `${instance.publicUrl}/`,
    sessionTtlMs: parseDuration(config.sessionTtl, "plugins.oidc.sessionTtl"),
    clockToleranceSeconds: config.clockToleranceSeconds,
    secureCookies: instance.publicUrl.startsWith("https:"),
  };
};
