// What a SIGHUP may change in the oidc plugin: what each sign-in reads (scopes, linkByEmail, the groups
// claim, admin groups and group roles, a provider's display name), the session lifetime, the clock
// tolerance and the sign-in rate. Which providers there are, this client's registration at each (issuer,
// client id and secret, how it authenticates, the redirect URIs), the providers' discovery and keys,
// access-token checking and the cookie key are set up at start: they keep their start-up values, and a
// change to them is reported as needing a restart.
import { type InstanceInfo, restartOnly } from "tessera/plugin";
import type { OidcConfig } from "./config";
import { type OidcSettings, resolveSettings, type SharedSettings } from "./settings";

const FIXED = ["redirectUri", "postLogoutRedirectUri", "cookieSecret", "jwks", "accessTokenCacheMs", "discoveryRefreshMs"];
const PROVIDER_FIXED = [
  "issuer",
  "clientId",
  "clientSecret",
  "tokenEndpointAuthMethod",
  "audience",
  "requireAccessTokenType",
  "introspection",
];

export interface Started {
  config: OidcConfig;
  settings: OidcSettings;
}

/**
 * The settings a reload to `next` runs on, and the changed settings that keep their start-up values.
 * Throws ERR_CONFIG_INVALID naming the path, as at start, for a value resolveSettings refuses.
 */
export const reloadSettings = (
  started: Started,
  current: OidcSettings,
  next: OidcConfig,
  instance: InstanceInfo,
): { settings: OidcSettings; needsRestart: string[] } => {
  const resolved = resolveSettings(next, instance);
  const { needsRestart } = restartOnly(started.config, next, FIXED);
  const shared: SharedSettings = {
    ...started.settings.shared,
    sessionTtlMs: resolved.shared.sessionTtlMs,
    clockToleranceSeconds: resolved.shared.clockToleranceSeconds,
  };
  const { loginsPerMinute } = resolved;
  const before = started.settings.providers;
  const sameProviders =
    resolved.providers.length === before.length &&
    resolved.providers.every((provider, index) => before[index]?.id === provider.id);
  if (!sameProviders) {
    // A provider added, removed or moved: its connection is made at start. The others stay as they are.
    const providers = current.providers.map((provider) => ({ ...provider, ...shared }));
    return { settings: { shared, providers, loginsPerMinute }, needsRestart: [...needsRestart, "providers"] };
  }
  const providers = resolved.providers.map((provider, index) => {
    // The same ids in the same order, so `before[index]` is this provider as it started.
    const kept = restartOnly(before[index] ?? provider, provider, PROVIDER_FIXED);
    for (const key of kept.needsRestart) needsRestart.push(next.providers ? `providers[${index}].${key}` : key);
    return { ...kept.config, ...shared };
  });
  return { settings: { shared, providers, loginsPerMinute }, needsRestart };
};
