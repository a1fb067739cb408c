// The public plugin API: a plugin module's default export is `definePlugin({...})`.
import type { Static, TSchema } from "@sinclair/typebox";
import type { AnyElysia } from "elysia";
import type { RouteBodyLimit } from "../http/route-body-limits";
import type { Command } from "./plugin-command";

export type { RouteBodyLimit } from "../http/route-body-limits";

import type { PluginContext } from "./plugin-context";

export {
  type BodyGuard,
  JsonBody,
  NoBody,
  OptionalBody,
  parseJsonBytes,
  requireJsonContentType,
} from "../http/json-body";
export { JsonValue } from "../http/json-value";
export { DisplayName, displayName } from "../text/display-name";
export { decodeUtf8 } from "../text/utf8";
export type { Command, CommandContext, CommandFlag, CommandFlags, CommandInput, FlagValues } from "./plugin-command";
export { type ReadCappedOptions, readCapped } from "./read-capped";

/** What a plugin may reach: outbound hosts, environment variable names, route prefixes. */
export interface Grants {
  net: string[];
  env: string[];
  routes: string[];
}

export interface PluginHealth {
  ok: boolean;
  detail?: string;
}

/**
 * What setup gives back: the plugin's routes and its lifecycle, as closures over whatever setup built,
 * so a plugin keeps its state in its own scope, never in a module global keyed by its ctx.
 */
export interface PluginParts<C = unknown> {
  /** An Elysia app with the plugin's routes and hooks, each route inside `permissions.routes`. */
  routes?: AnyElysia;
  /** After every plugin is set up, in dependency order, before the server listens. */
  start?: () => void | Promise<void>;
  /** In reverse order, only when start succeeded; `ctx.onStop` cleanups run even after a failed start. */
  stop?: () => void | Promise<void>;
  /** Readiness for /readyz, asked only while started. */
  health?: () => PluginHealth | Promise<PluginHealth>;
  /**
   * On SIGHUP, with the plugin's new config (already schema-checked), when it changed: checks it and
   * returns the change to apply, or throws (a TesseraError naming the config path), changing nothing.
   * The core applies the changes only once every plugin and the core accepted theirs. Without it, a
   * change to the plugin's config is logged as needing a restart; with it, so are the settings the
   * returned `needsRestart` names.
   */
  reload?: (config: C) => PluginReload | Promise<PluginReload>;
  /**
   * Routes that take less than server.bodyLimit: a declared body over `bytes` is refused before it is
   * read, with the route's own 413. (The route still caps what it reads: a chunked body has no length.)
   */
  bodyLimits?: RouteBodyLimit[];
}

/**
 * Applies an accepted reload; it must not fail, since other plugins may already have applied theirs.
 * A plugin that applies only some of its settings returns `{ apply, needsRestart }`: the settings that
 * differ from the config it started with and keep their start-up values until a restart, as paths
 * inside its section ("path", "providers[0].issuer"), which the core logs as needing a restart.
 */
export type PluginReload = (() => void) | { apply: () => void; needsRestart: readonly string[] };

export { restartOnly } from "./restart-only";

/**
 * Folders of SQL migrations, one per dialect, as absolute paths: `join(import.meta.dir, "migrations/sqlite")`
 * names the folder beside the plugin's module wherever it is loaded from.
 */
export interface PluginMigrations {
  sqlite: string;
  postgres: string;
}

export interface PluginDefinition<S extends TSchema = TSchema> {
  name: string;
  version: string;
  /** Other plugins (by name) that must start before this one. */
  requires?: string[];
  /** The plugin's config schema (TypeBox); `enabled` and `permissions` are added by the core. */
  config: S;
  /**
   * Grants a built-in plugin derives from its own config (the OIDC issuer's host, say).
   * Third-party plugins get only what their config's `permissions` grants.
   */
  permissions?: (config: Static<S>) => Partial<Grants>;
  /**
   * Builds the plugin from `ctx` (everything outside the plugin goes through it) and returns its parts.
   * Runs once per runtime; one module may serve several runtimes in a process (tests do).
   */
  setup: (ctx: PluginContext<Static<S>>) => PluginParts<Static<S>> | undefined | Promise<PluginParts<Static<S>> | undefined>;
  /**
   * CLI commands, listed by `tessera --help` while the plugin is enabled. They are declared here, not
   * returned by setup, because help and argument parsing need them without setting anything up.
   */
  commands?: Command<Static<S>>[];
  /**
   * Tables the plugin owns, applied after the core's and the plugins it requires, recorded per plugin.
   * Every table (and index) it creates is named `<name>_…` (dashes as underscores).
   */
  migrations?: PluginMigrations;
}

export const definePlugin = <S extends TSchema>(definition: PluginDefinition<S>): PluginDefinition<S> => definition;
