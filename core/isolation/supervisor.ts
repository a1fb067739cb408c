// Keeps one isolated plugin's child running: spawns it and sets it up, serves its calls, and while the
// plugin is started restarts a child that exits or breaks the protocol, with exponential backoff (0.5 s
// doubling to 30 s, from 0.5 s again once a child stayed up a minute). Meanwhile its routes answer 503 and
// its health says why. A child whose routes changed is not taken back: it keeps failing, loudly.
import { isRecord } from "../config/json-path";
import { TesseraError } from "../errors/tessera-error";
import type { PluginHealth, PluginReload } from "../plugins/define-plugin";
import type { PluginContext } from "../plugins/plugin-context";
import { type RunningChild, spawnChild } from "./child-process";
import type { PluginDatabase } from "./database/plugin-database";
import { childEnv } from "./deno-flags";
import type { IsolationHost } from "./isolation-host";
import { serveAuth } from "./services/auth";
import { serveDb } from "./services/db";
import { serveEvents } from "./services/events";
import { serveIdentityChanges } from "./services/identity-changes";
import { serveLimits } from "./services/limits";
import { serveLog } from "./services/log";
import { serveMetrics } from "./services/metrics";
import { protocolError } from "./services/params";
import type { Channel } from "./wire/channel";
import type { HealthResult, SetupParams, SetupResult } from "./wire/protocol";

const CALL_TIMEOUT_MS = 10_000;
const HEALTH_TIMEOUT_MS = 2_000;
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;
const STABLE_MS = 60_000;

export interface SupervisorOptions {
  host: IsolationHost;
  specifier: string;
  command: string[];
  grants: SetupParams["grants"];
  ctx: PluginContext;
  db?: PluginDatabase;
  /** Counts each restart attempt. */
  restarts: { inc(): void };
}

const isSetupResult = (value: unknown): value is SetupResult => {
  if (typeof value !== "object" || value === null) return false;
  const { routes, bodyLimits, has } = value as Record<string, unknown>;
  const isRoute = (route: unknown) =>
    typeof route === "object" &&
    route !== null &&
    typeof (route as Record<string, unknown>).method === "string" &&
    typeof (route as Record<string, unknown>).path === "string";
  const isLimit = (limit: unknown) =>
    typeof limit === "object" &&
    limit !== null &&
    typeof (limit as Record<string, unknown>).path === "string" &&
    Number.isInteger((limit as Record<string, unknown>).bytes) &&
    ((limit as Record<string, number>).bytes ?? -1) >= 0;
  return (
    Array.isArray(routes) &&
    routes.every(isRoute) &&
    Array.isArray(bodyLimits) &&
    bodyLimits.every(isLimit) &&
    typeof has === "object" &&
    has !== null &&
    ["start", "stop", "health", "reload"].every((key) => typeof (has as Record<string, unknown>)[key] === "boolean")
  );
};

const WS_REFUSED =
  'WebSocket routes are not supported by isolated plugins; use SSE (a streaming response) or set "isolation": "none" to run it in the server';

const routeList = (setup: SetupResult) => JSON.stringify(setup.routes.map((route) => `${route.method} ${route.path}`).sort());

interface Live {
  child: RunningChild;
  /** Drops what the child subscribed to. */
  release: () => void;
}

export class Supervisor {
  readonly inFlight = new Map<number, Request>();
  private live?: Live;
  private setup?: SetupResult;
  private config: unknown;
  private started = false;
  private closed = false;
  private failures = 0;
  private retryAt = 0;
  private down = "not started";
  private timer?: ReturnType<typeof setTimeout>;

  constructor(private readonly options: SupervisorOptions) {
    this.config = options.ctx.config;
  }

  private get log() {
    return this.options.ctx.log;
  }

  /** The first child, set up: what its routes, body limits and lifecycle parts are. */
  async boot(): Promise<SetupResult> {
    const { live, setup } = await this.launch();
    this.setup = setup;
    this.adopt(live);
    const ws = setup.routes.find((route) => route.method.toUpperCase() === "WS");
    if (ws) {
      throw new TesseraError("ERR_PLUGIN_INVALID", `Plugin "${this.options.specifier}": ${WS_REFUSED} (${ws.path})`, {
        path: `plugins.${this.options.specifier}`,
      });
    }
    return setup;
  }

  async start(): Promise<void> {
    const channel = this.channel();
    if (this.setup?.has.start) await channel.call("start", null, CALL_TIMEOUT_MS);
    this.started = true;
  }

  /** Asks the child's plugin to stop (its stop and its onStop cleanups), then ends the child. Safe twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    const live = this.live;
    this.live = undefined;
    this.down = "stopped";
    if (live) {
      await live.child.channel.call("stop", null, CALL_TIMEOUT_MS).catch((error: unknown) => {
        this.log.error("plugin stop failed", { error });
      });
      live.release();
      await live.child.end();
    }
    await this.options.db?.close();
  }

  async health(): Promise<PluginHealth> {
    const live = this.live;
    if (!live) return { ok: false, detail: this.down };
    if (!this.setup?.has.health) return { ok: true };
    const result = (await live.child.channel.call("health", null, HEALTH_TIMEOUT_MS)) as HealthResult;
    if (typeof result !== "object" || result === null || typeof result.ok !== "boolean") {
      return { ok: false, detail: "the child's health answer is malformed" };
    }
    return typeof result.detail === "string" ? { ok: result.ok, detail: result.detail } : { ok: result.ok };
  }

  /** Checks the new config in the child; `apply` applies it there, `needsRestart` is what the plugin can't. */
  async reload(config: unknown): Promise<Exclude<PluginReload, () => void>> {
    const result = await this.channel().call("reload", { config }, CALL_TIMEOUT_MS);
    const listed = isRecord(result) && Array.isArray(result.needsRestart) ? result.needsRestart : [];
    return {
      needsRestart: listed.filter((path): path is string => typeof path === "string"),
      apply: () => {
        this.config = config;
        this.live?.child.channel.call("commitReload", null, CALL_TIMEOUT_MS).catch((error: unknown) => {
          this.log.error("plugin reload could not be applied", { error });
        });
      },
    };
  }

  /** The live child's channel; a 503 while there is none. */
  channel(): Channel {
    const live = this.live;
    if (!live) throw this.unavailable();
    return live.child.channel;
  }

  unavailable(): TesseraError {
    const seconds = Math.max(1, Math.ceil((this.retryAt - Date.now()) / 1000));
    return new TesseraError("ERR_UNAVAILABLE", `Plugin "${this.options.ctx.name}" is restarting`, {
      status: 503,
      headers: { "Retry-After": String(seconds) },
    });
  }

  private async launch(): Promise<{ live: Live; setup: SetupResult }> {
    const { host, specifier, command, grants, ctx, db } = this.options;
    let release: () => void = () => undefined;
    const child = await spawnChild({
      command,
      env: childEnv(grants.env, host.env, host.denoDir),
      cwd: host.kit().cwd,
      log: ctx.log,
      records: host.records,
      specifier,
      serve: (channel) => {
        release = this.serve(channel, db);
      },
    });
    const params: SetupParams = {
      name: ctx.name,
      config: this.config,
      instance: {
        publicUrl: ctx.instance.publicUrl,
        allowedOrigins: ctx.instance.allowedOrigins,
        admins: ctx.instance.admins,
        instanceId: ctx.instance.instanceId,
      },
      grants,
      maxJsonDepth: host.maxJsonDepth,
      ...(db ? { dialect: db.dialect } : {}),
    };
    try {
      const setup = await child.channel.call("setup", params, CALL_TIMEOUT_MS);
      if (!isSetupResult(setup)) throw protocolError("setup: the child's answer is not a setup result");
      return { live: { child, release }, setup };
    } catch (error) {
      release();
      await child.end(0);
      throw error;
    }
  }

  private serve(channel: Channel, db: PluginDatabase | undefined): () => void {
    const { ctx, specifier } = this.options;
    serveLog(channel, specifier, ctx.log);
    serveDb(channel, ctx.name, db);
    serveAuth(channel, ctx.auth, this.inFlight);
    serveLimits(channel, ctx.name, ctx);
    serveMetrics(channel, ctx.name, ctx.metrics, (error) =>
      this.log.warn("isolated plugin sent a malformed metric update", { error }),
    );
    const dropEvents = serveEvents(channel, ctx.events);
    const dropChanges = serveIdentityChanges(channel, ctx.identityChanges);
    return () => {
      dropEvents();
      dropChanges();
    };
  }

  private adopt(live: Live): void {
    const { child } = live;
    this.live = live;
    this.down = "";
    void Promise.race([
      child.exited.then((code) => `exited with code ${code}`),
      child.broken.then((error) => error.message),
    ]).then((reason) => this.lost(live, reason));
  }

  private async lost(live: Live, reason: string): Promise<void> {
    if (this.live !== live || this.closed) return;
    this.live = undefined;
    live.release();
    this.down = `its child ${reason}; restarting`;
    this.log.error("isolated plugin's child ended", { reason });
    // A child that broke the protocol may still run: it is ended before a new one starts.
    await live.child.end(0);
    if (Date.now() - live.child.startedAt >= STABLE_MS) this.failures = 0;
    if (this.started) this.schedule();
    else this.down = `its child ${reason}`;
  }

  private schedule(): void {
    if (this.closed) return;
    const delay = Math.min(FIRST_DELAY_MS * 2 ** this.failures, MAX_DELAY_MS);
    this.failures += 1;
    this.retryAt = Date.now() + delay;
    this.timer = setTimeout(() => void this.restart(), delay);
  }

  private async restart(): Promise<void> {
    if (this.closed) return;
    this.options.restarts.inc();
    let launched: { live: Live; setup: SetupResult } | undefined;
    try {
      launched = await this.launch();
      const { child } = launched.live;
      if (this.setup && routeList(launched.setup) !== routeList(this.setup)) {
        throw new TesseraError(
          "ERR_PLUGIN_INVALID",
          `Plugin "${this.options.ctx.name}" came back with other routes (${routeList(launched.setup)}, was ${routeList(this.setup)}); a restart of the server is needed to take them`,
        );
      }
      if (launched.setup.has.start) await child.channel.call("start", null, CALL_TIMEOUT_MS);
      if (this.closed) {
        await child.end(0);
        return;
      }
      this.adopt(launched.live);
      this.log.info("isolated plugin restarted");
    } catch (error) {
      launched?.live.release();
      await launched?.live.child.end(0);
      this.down = `restart failed: ${error instanceof Error ? error.message : String(error)}`;
      this.log.error("isolated plugin restart failed", { error });
      this.schedule();
    }
  }
}
