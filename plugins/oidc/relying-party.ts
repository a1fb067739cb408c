// One oidc plugin instance's state and lifecycle: a connection to each configured provider, the
// cookie-sealing key and the sweep of expired single-use markers. Created in setup; started and
// stopped by the runtime.
import { notFound, type PluginContext, type PluginHealth, TesseraError } from "tessera/plugin";
import type { OidcConfig } from "./config";
import { purgeExpired, storedValue } from "./kv";
import { flowKey } from "./login-flow";
import { ProviderConnection } from "./provider-connection";
import { type ProviderSettings, resolveSettings, type SharedSettings } from "./settings";

const SWEEP_MS = 10 * 60_000;

/** One provider: its settings and what this instance knows of it (discovery, keys). */
export interface ProviderClient {
  settings: ProviderSettings;
  connection: ProviderConnection;
}

export class RelyingParty {
  readonly ctx: PluginContext<OidcConfig>;
  readonly settings: SharedSettings;
  /** In config order; never empty. */
  readonly providers: readonly ProviderClient[];
  #flowKey: Uint8Array | undefined;
  #sweep: ReturnType<typeof setInterval> | undefined;

  constructor(ctx: PluginContext<OidcConfig>) {
    this.ctx = ctx;
    const { shared, providers } = resolveSettings(ctx.config, ctx.instance);
    this.settings = shared;
    this.providers = providers.map((settings) => ({
      settings,
      connection: new ProviderConnection({
        discovery: {
          issuer: settings.issuer,
          credentials: { clientId: settings.clientId, clientSecret: settings.clientSecret },
          tokenEndpointAuthMethod: settings.tokenEndpointAuthMethod,
          introspection: settings.introspection,
        },
        fetch: ctx.fetch,
        log: ctx.log,
        keys: ctx.config.jwks,
        refreshMs: ctx.config.discoveryRefreshMs,
      }),
    }));
  }

  /** The provider /auth/login uses: the first configured. */
  defaultProvider(): ProviderClient {
    const [first] = this.providers;
    if (!first) throw new TesseraError("ERR_INTERNAL", "The oidc plugin has no provider");
    return first;
  }

  /** The provider with this id; 404 for any other, so a typo in a sign-in link says what it is. */
  provider(id: string): ProviderClient {
    const found = this.providers.find((provider) => provider.settings.id === id);
    if (!found) throw notFound(`No sign-in provider "${id}"`, { path: id });
    return found;
  }

  byIssuer(issuer: string): ProviderClient | undefined {
    return this.providers.find((provider) => provider.settings.issuer === issuer);
  }

  async start(): Promise<void> {
    const secret =
      this.ctx.config.cookieSecret ??
      (await storedValue(this.ctx.db, "cookie-key", () =>
        Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url"),
      ));
    this.#flowKey = flowKey(secret);
    this.#sweep = setInterval(() => {
      purgeExpired(this.ctx.db).catch((error: unknown) =>
        this.ctx.log.warn("sweeping expired single-use markers failed", { error }),
      );
    }, SWEEP_MS);
    this.#sweep.unref();
    await Promise.all(this.providers.map((provider) => provider.connection.start()));
  }

  /** Safe after a partial start, and twice. */
  stop(): void {
    clearInterval(this.#sweep);
    for (const provider of this.providers) provider.connection.stop();
  }

  /** Ready when every provider is: a provider that is down means its users can't sign in. */
  health(): PluginHealth {
    const problems = this.providers.flatMap(({ settings, connection }) => {
      const health = connection.health();
      if (health.ok) return [];
      const detail = health.detail ?? "not ready";
      return [this.providers.length === 1 ? detail : `${settings.id}: ${detail}`];
    });
    return problems.length === 0 ? { ok: true } : { ok: false, detail: problems.join("; ") };
  }

  /** The key that seals sign-in cookies; there is one as soon as the plugin has started. */
  flowKey(): Uint8Array {
    if (!this.#flowKey) throw new TesseraError("ERR_UNAVAILABLE", "The oidc plugin has not started yet", { status: 503 });
    return this.#flowKey;
  }
}
