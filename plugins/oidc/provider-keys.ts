// The provider's signing keys: jose's remote JWKS (cache, cooldown, refetch on an unknown kid), with
// its HTTP going through ctx.fetch so the net grant and per-hop redirect checks hold for it too. jose
// reads the key set whole and uncapped, so it is handed the answer already read under the cap.
import { createRemoteJWKSet, customFetch, type FetchImplementation, type RemoteJWKSet } from "jose";
import { readCapped, type ScopedFetch } from "tessera/plugin";
import { MAX_ANSWER_BYTES } from "./read-json";

export interface KeyOptions {
  cooldownMs: number;
  cacheMaxAgeMs: number;
}

const FETCH_TIMEOUT_MS = 5000;

const cappedFetch =
  (fetch: ScopedFetch): FetchImplementation =>
  async (url, init) => {
    const response = await fetch(url, { ...init, timeoutMs: FETCH_TIMEOUT_MS });
    if (response.status !== 200) {
      await response.body?.cancel();
      return new Response(null, { status: response.status });
    }
    const bytes = await readCapped(response, MAX_ANSWER_BYTES);
    return new Response(bytes, { status: 200, headers: { "content-type": response.headers.get("content-type") ?? "" } });
  };

export const providerKeys = (fetch: ScopedFetch, jwksUri: string, options: KeyOptions): RemoteJWKSet =>
  createRemoteJWKSet(new URL(jwksUri), {
    cooldownDuration: options.cooldownMs,
    cacheMaxAge: options.cacheMaxAgeMs,
    timeoutDuration: FETCH_TIMEOUT_MS,
    // jose asks for redirect: "manual"; ctx.fetch follows redirects itself, re-checking each hop.
    [customFetch]: cappedFetch(fetch),
  });
