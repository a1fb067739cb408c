// The plugin's life in the child, one step per core call: define, configure, setup, start, stop,
// health, reload. What the plugin throws goes back as the call's error, worded as in process; a
// runtime refusal also goes to the core as `denied`, and the step fails with its PermissionDenied.
import { dirname } from "node:path";
import { ownSection } from "../../config/load-config";
import { validateSection } from "../../config/validate";
import { isTesseraError, TesseraError } from "../../errors/tessera-error";
import { checkParts } from "../../plugins/check-parts";
import type { PluginDefinition, PluginParts, PluginReload } from "../../plugins/define-plugin";
import type { Channel } from "../wire/channel";
import type {
  ConfigureParams,
  ConfigureResult,
  DefineResult,
  HealthResult,
  HttpParams,
  HttpResult,
  LogLine,
  ReloadParams,
  ReloadResult,
  SetupParams,
  SetupResult,
} from "../wire/protocol";
import { type ChildContext, childContext } from "./context";
import { pluginDefinition } from "./definition";
import { deniedOf, permissionDenied } from "./denied";
import { childRoutes, type Routes, routeFailure } from "./http";
import { webSocketRoutes } from "./websocket-routes";

interface SetUp {
  context: ChildContext;
  parts: PluginParts;
  routes?: Routes;
  started: boolean;
  /** What `reload` accepted, applied by `commitReload`. */
  accepted?: PluginReload;
}

const protocolError = (message: string) => new TesseraError("ERR_ISOLATION_PROTOCOL", message, { status: 500 });

const describe = (error: unknown) =>
  error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : { message: String(error) };

export class PluginHost {
  private setUp?: SetUp;
  /** The config key, from `configure`: error paths name it, as in process. */
  private specifier: string;

  constructor(
    /** The plugin module's default export; every step refuses one that is no plugin definition. */
    private readonly exported: unknown,
    /** The plugin's entry module: its folder is the plugin's. */
    private readonly entry: string,
    private readonly channel: Channel,
    private readonly sendLog: (line: LogLine) => void,
  ) {
    this.specifier = entry;
  }

  private get definition(): PluginDefinition {
    return pluginDefinition(this.exported, this.entry);
  }

  define(): DefineResult {
    const { definition } = this;
    return {
      name: definition.name,
      version: definition.version,
      requires: definition.requires ?? [],
      ...(definition.migrations
        ? { migrations: { sqlite: definition.migrations.sqlite, postgres: definition.migrations.postgres } }
        : {}),
      commands: (definition.commands ?? []).map((command) => command.name),
    };
  }

  /** The check, messages and paths of an in-process plugin's (load-config's validatePluginConfig). */
  configure({ specifier, section, secretPaths }: ConfigureParams): ConfigureResult {
    this.specifier = specifier;
    const config = validateSection(this.definition.config, ownSection(section), {
      basePath: ["plugins", specifier],
      secretPaths: new Set(secretPaths),
    });
    return { config };
  }

  async setup(params: SetupParams): Promise<SetupResult> {
    if (this.setUp) throw protocolError("setup called twice");
    const numbers = new WeakMap<Request, number>();
    const clientAddresses = new WeakMap<Request, string>();
    const context = childContext({
      channel: this.channel,
      params,
      folder: dirname(this.entry),
      numbers,
      clientAddresses,
      sendLog: this.sendLog,
    });
    const plugin = { name: this.definition.name, specifier: this.specifier };
    const returned = await this.step("failed in setup", () => this.definition.setup(context.ctx));
    const parts = checkParts(plugin, returned);
    const app = parts.routes;
    const routes = app
      ? childRoutes({
          channel: this.channel,
          app,
          numbers,
          clientAddresses,
          maxJsonDepth: params.maxJsonDepth,
          failure: (error, code, request) => this.refusal(error) ?? this.logged(routeFailure(error, code, request), error),
        })
      : undefined;
    this.setUp = { context, parts, routes, started: false };
    return {
      routes: [...(app?.routes ?? []).map((route) => ({ method: route.method, path: route.path })), ...webSocketRoutes()],
      bodyLimits: (parts.bodyLimits ?? []).map(({ path, bytes }) => ({ path, bytes })),
      has: {
        start: parts.start !== undefined,
        stop: parts.stop !== undefined,
        health: parts.health !== undefined,
        reload: parts.reload !== undefined,
      },
    };
  }

  async start(): Promise<void> {
    const setUp = this.current();
    const { start } = setUp.parts;
    if (start) await this.step("failed to start", start);
    setUp.started = true;
  }

  /** As stopPlugins does in process: stop if start succeeded, then the cleanups in reverse; one failure stops none of the rest. */
  async stop(): Promise<void> {
    const setUp = this.setUp;
    if (!setUp) return;
    const { stop } = setUp.parts;
    // The server stops accepting before it stops plugins: what the plugin holds open ends first.
    const steps = [...setUp.context.drains, ...(setUp.started && stop ? [stop] : []), ...[...setUp.context.cleanups].reverse()];
    setUp.context.drains.length = 0;
    setUp.context.cleanups.length = 0;
    setUp.started = false;
    for (const step of steps) {
      try {
        await this.step("failed to stop", step);
      } catch (error) {
        this.sendLog({ level: "error", message: "plugin stop failed", fields: { error: describe(error) } });
      }
    }
  }

  health(): Promise<HealthResult> {
    const { health } = this.current().parts;
    return health ? this.step("failed its health check", health) : Promise.resolve({ ok: true });
  }

  async reload({ config }: ReloadParams): Promise<ReloadResult> {
    const setUp = this.current();
    const { reload } = setUp.parts;
    if (!reload) throw protocolError("reload called for a plugin without reload");
    const accepted = await this.step("failed to reload", () => reload(config));
    setUp.accepted = accepted;
    return { needsRestart: typeof accepted === "function" ? [] : [...accepted.needsRestart] };
  }

  commitReload(): void {
    const setUp = this.current();
    const { accepted } = setUp;
    if (!accepted) throw protocolError("commitReload without an accepted reload");
    setUp.accepted = undefined;
    if (typeof accepted === "function") accepted();
    else accepted.apply();
  }

  http(params: HttpParams): Promise<HttpResult> {
    const { routes } = this.current();
    if (!routes) throw protocolError("a request for a plugin without routes");
    return routes.handle(params);
  }

  deliverEvent: ChildContext["deliverEvent"] = (delivery) => this.setUp?.context.deliverEvent(delivery);

  deliverIdentityChange: ChildContext["deliverIdentityChange"] = (delivery) =>
    this.setUp?.context.deliverIdentityChange(delivery);

  /** An error nothing caught (an unhandled rejection): logged, and reported if the runtime refused something. */
  reportUncaught(error: unknown): void {
    const refused = this.refusal(error);
    this.sendLog({ level: "error", message: "uncaught error in plugin", fields: { error: describe(refused ?? error) } });
  }

  private current(): SetUp {
    if (!this.setUp) throw protocolError("the plugin is not set up");
    return this.setUp;
  }

  /** Runs one of the plugin's steps; a failure that is no TesseraError is worded as in process (load-plugins.ts). */
  private async step<T>(failed: string, run: () => T | Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const refused = this.refusal(error);
      if (refused) throw refused;
      if (isTesseraError(error)) throw error;
      throw new TesseraError("ERR_PLUGIN_SETUP", `Plugin "${this.definition.name}" ${failed}: ${String(error)}`, {
        path: `plugins.${this.specifier}`,
        cause: error,
      });
    }
  }

  /** A runtime refusal behind `error`: told to the core as `denied`, and returned as the PermissionDenied to fail with. */
  private refusal(error: unknown): TesseraError | undefined {
    const denied = deniedOf(error);
    if (!denied) return undefined;
    this.channel.notify("denied", denied);
    return permissionDenied(this.definition.name, denied);
  }

  /** A route's unexpected failure: its cause stays in the child, so it is logged here, as the core would. */
  private logged(mapped: TesseraError, error: unknown): TesseraError {
    if (mapped.status >= 500 && !isTesseraError(error)) {
      this.sendLog({ level: "error", message: "route failed", fields: { error: describe(error) } });
    }
    return mapped;
  }
}
