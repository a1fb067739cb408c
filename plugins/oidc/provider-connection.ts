// The provider as this instance currently knows it: discovered at start, retried with backoff while it
// is down (never a crash loop), refreshed periodically, and reported to /readyz.

import type { RemoteJWKSet } from "jose";
import { isTesseraError, type Logger, type PluginHealth, type ScopedFetch, type TesseraError } from "tessera/plugin";
import { type DiscoveryOptions, discover, type ProviderMetadata } from "./discover";
import { oidcError } from "./errors";
import { type KeyOptions, providerKeys } from "./provider-keys";

export interface Provider {
  metadata: ProviderMetadata;
  keys: RemoteJWKSet;
}

export interface ConnectionOptions {
  discovery: DiscoveryOptions;
  fetch: ScopedFetch;
  log: Logger;
  keys: KeyOptions;
  refreshMs: number;
  retry?: { firstMs: number; maxMs: number };
}

const isOutage = (error: unknown): error is TesseraError => isTesseraError(error) && error.code === "ERR_OIDC_UNAVAILABLE";

export class ProviderConnection {
  #current: Provider | undefined;
  #problem: TesseraError | undefined;
  #attempt = 0;
  #nextRetryAt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #refreshTimer: ReturnType<typeof setInterval> | undefined;
  #stopped = false;
  readonly #options: ConnectionOptions;

  constructor(options: ConnectionOptions) {
    this.#options = options;
  }

  /** One attempt now. A configuration problem throws, so start-up stops; an outage is retried in the background. */
  async start(): Promise<void> {
    try {
      await this.#load();
    } catch (error) {
      if (!isOutage(error)) throw error;
      this.#retryLater(error);
    }
    this.#refreshTimer = setInterval(() => void this.#refresh(), this.#options.refreshMs);
    this.#refreshTimer.unref();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    clearInterval(this.#refreshTimer);
  }

  current(): Provider | undefined {
    return this.#current;
  }

  /** The provider, or a 503 that says why sign-in can't start yet and when to retry. */
  require(): Provider {
    if (this.#current) return this.#current;
    const retryIn = Math.max(1, Math.ceil((this.#nextRetryAt - Date.now()) / 1000));
    throw oidcError("ERR_OIDC_UNAVAILABLE", 503, `Sign-in is not available yet: ${this.#describeProblem()}`, {
      headers: this.#retryTimer ? { "retry-after": String(retryIn) } : undefined,
    });
  }

  health(): PluginHealth {
    if (this.#current) return { ok: true };
    return { ok: false, detail: this.#describeProblem() };
  }

  #describeProblem(): string {
    const reason = this.#problem?.message ?? `the OpenID provider ${this.#options.discovery.issuer} has not been reached yet`;
    return this.#retryTimer ? `${reason}; retrying` : reason;
  }

  async #load(): Promise<void> {
    const metadata = await discover(this.#options.fetch, this.#options.discovery);
    const previous = this.#current;
    // Keep the key cache unless the provider moved its keys.
    const keys =
      previous && previous.metadata.jwksUri === metadata.jwksUri
        ? previous.keys
        : providerKeys(this.#options.fetch, metadata.jwksUri, this.#options.keys);
    if (!previous) this.#warnAboutForeignHosts(metadata);
    this.#current = { metadata, keys };
    this.#problem = undefined;
  }

  /** The net grant covers the issuer's host; endpoints elsewhere would fail at first use, so say so now. */
  #warnAboutForeignHosts(metadata: ProviderMetadata): void {
    const issuerHost = new URL(metadata.issuer).host;
    const { tokenEndpoint, jwksUri, userinfoEndpoint, introspectionEndpoint } = metadata;
    const hosts = [tokenEndpoint, jwksUri, userinfoEndpoint, introspectionEndpoint]
      .flatMap((url) => (url ? [new URL(url).host] : []))
      .filter((host, index, all) => host !== issuerHost && all.indexOf(host) === index);
    if (hosts.length === 0) return;
    this.#options.log.warn("some OpenID provider endpoints are on other hosts than the issuer", {
      hosts,
      grant: `plugins.oidc.permissions.net: ${JSON.stringify(hosts)}`,
    });
  }

  #retryLater(error: TesseraError): void {
    const { firstMs, maxMs } = this.#options.retry ?? { firstMs: 1000, maxMs: 60_000 };
    const delay = Math.min(maxMs, firstMs * 2 ** this.#attempt);
    this.#attempt += 1;
    this.#problem = error;
    this.#nextRetryAt = Date.now() + delay;
    const fields = { issuer: this.#options.discovery.issuer, retryInMs: delay, error };
    if (isOutage(error)) this.#options.log.warn("OpenID provider unreachable; sign-in waits for it", fields);
    else this.#options.log.error("OpenID provider answers, but not usably; sign-in waits for it to be fixed", fields);
    this.#retryTimer = setTimeout(() => void this.#retry(), delay);
    this.#retryTimer.unref();
  }

  async #retry(): Promise<void> {
    this.#retryTimer = undefined;
    if (this.#stopped) return;
    try {
      await this.#load();
      this.#options.log.info("OpenID provider reached; sign-in is available", { issuer: this.#options.discovery.issuer });
    } catch (error) {
      if (this.#stopped) return;
      // Once start-up is past, even a configuration problem (the provider changed its issuer, say)
      // is retried: it may be fixed at the provider, and /readyz shows the reason meanwhile.
      this.#retryLater(isTesseraError(error) ? error : oidcError("ERR_OIDC_DISCOVERY", 500, String(error), { cause: error }));
    }
  }

  async #refresh(): Promise<void> {
    if (!this.#current || this.#stopped) return;
    try {
      await this.#load();
    } catch (error) {
      this.#options.log.warn("refreshing the OpenID discovery document failed; keeping the last one", { error });
    }
  }
}
