// One oidc plugin instance's state and lifecycle: the provider connection, the cookie-sealing key
// and the sweep of expired single-use markers. Created in setup; started and stopped by the runtime.
import { TesseraError } from "../../core/errors/tessera-error";
import type { PluginHealth } from "../../core/plugins/define-plugin";
import type { PluginContext } from "../../core/plugins/plugin-context";
import type { OidcConfig } from "./config";
import { purgeExpired, storedValue } from "./kv";
import { flowKey } from "./login-flow";
import { ProviderConnection } from "./provider-connection";
import { type OidcSettings, resolveSettings } from "./settings";

const SWEEP_MS = 10 * 60_000;

export class RelyingParty {
  readonly ctx: PluginContext<OidcConfig>;
  readonly settings: OidcSettings;
  readonly connection: ProviderConnection;
  #flowKey: Uint8Array | undefined;
  #sweep: ReturnType<typeof setInterval> | undefined;

  constructor(ctx: PluginContext<OidcConfig>) {
    this.ctx = ctx;
    this.settings = resolveSettings(ctx.config, ctx.instance);
    const { config } = ctx;
    this.connection = new ProviderConnection({
      discovery: {
        issuer: config.issuer,
        credentials: { clientId: config.clientId, clientSecret: config.clientSecret },
        tokenEndpointAuthMethod: config.tokenEndpointAuthMethod,
        introspection: config.introspection,
      },
      fetch: ctx.fetch,
      log: ctx.log,
      keys: config.jwks,
      refreshMs: config.discoveryRefreshMs,
    });
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
    await this.connection.start();
  }

  /** Safe after a partial start, and twice. */
  stop(): void {
    clearInterval(this.#sweep);
    this.connection.stop();
  }

  health(): PluginHealth {
    return this.connection.health();
  }

  /** The key that seals sign-in cookies; there is one as soon as the plugin has started. */
  flowKey(): Uint8Array {
    if (!this.#flowKey) throw new TesseraError("ERR_UNAVAILABLE", "The oidc plugin has not started yet", { status: 503 });
    return this.#flowKey;
  }
}
