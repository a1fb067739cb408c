// One oidc plugin instance's state and lifecycle: a connection to each configured provider, the
// cookie-sealing key and the sweep of expired single-use markers, and the settings in force, which a
// reload replaces whole (reload-settings.ts). Created in setup; started and stopped by the runtime.
import { notFound, type PluginContext, type PluginHealth, type PluginReload, TesseraError } from "tessera/plugin";
import type { OidcConfig } from "./config";
import { purgeExpired, storedValue } from "./kv";
import { flowKey } from "./login-flow";
import { ProviderConnection } from "./provider-connection";
import { reloadSettings, type Started } from "./reload-settings";
import { type OidcSettings, type ProviderSettings, resolveSettings, type SharedSettings } from "./settings";

const SWEEP_MS = 10 * 60_000;

/** One provider: its settings and what this instance knows of it (discovery, keys). */
export interface ProviderClient {
  settings: ProviderSettings;
  connection: ProviderConnection;
}

interface InForce {
  settings: OidcSettings;
  /** In config order; never empty. */
  providers: readonly ProviderClient[];
}

export class RelyingParty {
  readonly ctx: PluginContext<OidcConfig>;
  readonly #started: Started;
  /** By provider id, made at start; a reload keeps the same providers. */
  readonly #connections: ReadonlyMap<string, ProviderConnection>;
  #inForce: InForce;
  #flowKey: Uint8Array | undefined;
  #sweep: ReturnType<typeof setInterval> | undefined;

  constructor(ctx: PluginContext<OidcConfig>) {
    this.ctx = ctx;
    const settings = resolveSettings(ctx.config, ctx.instance);
    this.#started = { config: ctx.config, settings };
    this.#connections = new Map(
      settings.providers.map((provider) => [
        provider.id,
        new ProviderConnection({
          discovery: {
            issuer: provider.issuer,
            credentials: { clientId: provider.clientId, clientSecret: provider.clientSecret },
            tokenEndpointAuthMethod: provider.tokenEndpointAuthMethod,
            introspection: provider.introspection,
          },
          fetch: ctx.fetch,
          log: ctx.log,
          keys: ctx.config.jwks,
          refreshMs: ctx.config.discoveryRefreshMs,
        }),
      ]),
    );
    this.#inForce = this.#withConnections(settings);
  }

  /** What every provider shares, as now in force. */
  get settings(): SharedSettings {
    return this.#inForce.settings.shared;
  }

  /** In config order; never empty. Read once per request, so a request sees one version of the settings. */
  get providers(): readonly ProviderClient[] {
    return this.#inForce.providers;
  }

  get loginsPerMinute(): number {
    return this.#inForce.settings.loginsPerMinute;
  }

  /** The plugin's `reload`: checks the new config as at start and keeps what only a restart can change. */
  reload(config: OidcConfig): PluginReload {
    const { settings, needsRestart } = reloadSettings(this.#started, this.#inForce.settings, config, this.ctx.instance);
    const next = this.#withConnections(settings);
    const apply = () => {
      this.#inForce = next;
    };
    return { apply, needsRestart };
  }

  #withConnections(settings: OidcSettings): InForce {
    const providers = settings.providers.map((provider) => {
      const connection = this.#connections.get(provider.id);
      if (!connection) throw new TesseraError("ERR_INTERNAL", `No connection to the provider "${provider.id}"`);
      return { settings: provider, connection };
    });
    return { settings, providers };
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
    await Promise.all([...this.#connections.values()].map((connection) => connection.start()));
  }

  /** Safe after a partial start, and twice. */
  stop(): void {
    clearInterval(this.#sweep);
    for (const connection of this.#connections.values()) connection.stop();
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
