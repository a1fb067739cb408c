// plugins.oidc resolved against the server settings: the defaults that depend on publicUrl, the
// inline single-provider form turned into a list of one, and the few rules the schema can't say.
import { type InstanceInfo, parseDuration, TesseraError } from "tessera/plugin";
import type { GroupRole, OidcConfig, ProviderEntry } from "./config";

/** What every provider shares: one callback, one cookie, one session lifetime. */
export interface SharedSettings {
  redirectUri: string;
  /**
   * Where sign-in cookies are sent: the callback's folder (/auth), so both /auth/login (which drops
   * stale ones) and /auth/callback see them, also behind a proxy that adds a path prefix.
   */
  flowCookiePath: string;
  postLogoutRedirectUri: string;
  sessionTtlMs: number;
  clockToleranceSeconds: number;
  /** Cookies get Secure when the site is served over https. */
  secureCookies: boolean;
}

export interface ProviderSettings extends SharedSettings {
  id: string;
  name: string;
  issuer: string;
  clientId: string;
  clientSecret?: string;
  tokenEndpointAuthMethod?: "client_secret_basic" | "client_secret_post";
  scopes: string[];
  linkByEmail: "verified" | "never";
  audience?: string;
  requireAccessTokenType: boolean;
  introspection: boolean;
  groupsClaim: string;
  adminGroups: string[];
  groupRoles: GroupRole[];
}

export interface OidcSettings {
  shared: SharedSettings;
  /** In config order: the first is the one /auth/login uses. */
  providers: ProviderSettings[];
  /** Sign-ins one client address may start a minute. */
  loginsPerMinute: number;
}

/** The id of the provider the inline form configures. */
const INLINE_PROVIDER_ID = "default";

const DEFAULT_SCOPES = ["openid", "email", "profile"];

const invalid = (path: string, message: string) => new TesseraError("ERR_CONFIG_INVALID", message, { path });

// Keys that belong to one provider: set inline, or under `providers`, never both.
const INLINE_ONLY = [
  "issuer",
  "clientId",
  "clientSecret",
  "tokenEndpointAuthMethod",
  "audience",
  "groupsClaim",
  "adminGroups",
  "groupRoles",
] as const;

const entries = (config: OidcConfig): { entry: ProviderEntry; path: string }[] => {
  if (config.providers) {
    const inline = INLINE_ONLY.find((key) => config[key] !== undefined);
    if (inline) {
      throw invalid(
        `plugins.oidc.${inline}`,
        `plugins.oidc.${inline} is set next to plugins.oidc.providers; with several providers, set it on each entry of providers`,
      );
    }
    return config.providers.map((entry, index) => ({ entry, path: `plugins.oidc.providers[${index}]` }));
  }
  if (config.issuer === undefined || config.clientId === undefined) {
    throw invalid("plugins.oidc", "plugins.oidc needs issuer and clientId (one provider), or providers (several)");
  }
  const entry: ProviderEntry = {
    id: INLINE_PROVIDER_ID,
    issuer: config.issuer,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    tokenEndpointAuthMethod: config.tokenEndpointAuthMethod,
    scopes: config.scopes ?? DEFAULT_SCOPES,
    audience: config.audience,
    requireAccessTokenType: config.requireAccessTokenType ?? false,
    introspection: config.introspection ?? false,
    groupsClaim: config.groupsClaim ?? "groups",
    adminGroups: config.adminGroups ?? [],
    groupRoles: config.groupRoles ?? [],
    // The single-provider form has always linked on a verified email; it keeps doing so unless told not to.
    linkByEmail: config.linkByEmail ?? "verified",
  };
  return [{ entry, path: "plugins.oidc" }];
};

export const resolveSettings = (config: OidcConfig, instance: InstanceInfo): OidcSettings => {
  const redirectUri = config.redirectUri ?? `${instance.publicUrl}/auth/callback`;
  const shared: SharedSettings = {
    redirectUri,
    flowCookiePath: new URL(redirectUri).pathname.replace(/\/[^/]*$/, "") || "/",
    postLogoutRedirectUri: config.postLogoutRedirectUri ?? `${instance.publicUrl}/`,
    sessionTtlMs: parseDuration(config.sessionTtl, "plugins.oidc.sessionTtl"),
    clockToleranceSeconds: config.clockToleranceSeconds,
    secureCookies: instance.publicUrl.startsWith("https:"),
  };
  const seenIds = new Set<string>();
  const seenIssuers = new Set<string>();
  const providers = entries(config).map(({ entry, path }): ProviderSettings => {
    if (!entry.scopes.includes("openid")) throw invalid(`${path}.scopes`, `${path}.scopes must include "openid"`);
    if (seenIds.has(entry.id)) throw invalid(`${path}.id`, `Two providers have the id "${entry.id}"`);
    // Identities are keyed by (issuer, subject), and logout and access tokens find their provider by issuer.
    if (seenIssuers.has(entry.issuer)) throw invalid(`${path}.issuer`, `Two providers have the issuer "${entry.issuer}"`);
    seenIds.add(entry.id);
    seenIssuers.add(entry.issuer);
    return { ...shared, ...entry, name: entry.name ?? entry.id };
  });
  return { shared, providers, loginsPerMinute: config.loginsPerMinute };
};
