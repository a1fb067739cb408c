// The provider's signing keys: jose's remote JWKS (cache, cooldown, refetch on an unknown kid), with
// its HTTP going through ctx.fetch so the net grant and per-hop redirect checks hold for it too.
import { createRemoteJWKSet, customFetch, type RemoteJWKSet } from "jose";
import type { ScopedFetch } from "../../core/plugins/scoped-fetch";

export interface KeyOptions {
  cooldownMs: number;
  cacheMaxAgeMs: number;
}

const FETCH_TIMEOUT_MS = 5000;

export const providerKeys = (fetch: ScopedFetch, jwksUri: string, options: KeyOptions): RemoteJWKSet =>
  createRemoteJWKSet(new URL(jwksUri), {
    cooldownDuration: options.cooldownMs,
    cacheMaxAge: options.cacheMaxAgeMs,
    timeoutDuration: FETCH_TIMEOUT_MS,
    // jose asks for redirect: "manual"; ctx.fetch follows redirects itself, re-checking each hop.
    [customFetch]: (url, init) => fetch(url, { ...init, timeoutMs: FETCH_TIMEOUT_MS }),
  });
