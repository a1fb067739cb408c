// The public plugin API: a plugin module's default export is `definePlugin({...})`.
import type { Static, TSchema } from "@sinclair/typebox";
import type { AnyElysia } from "elysia";
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
  /** Mount routes and hooks; everything outside the plugin goes through `ctx`. */
  setup: (ctx: PluginContext<Static<S>>) => AnyElysia | undefined | Promise<AnyElysia | undefined>;
  /**
   * The hooks below get the same `ctx` that `setup` got: one module may serve several runtimes in a
   * process (tests do), so per-instance state is found from the ctx, never kept in a module global.
   */
  start?: (ctx: PluginContext<Static<S>>) => void | Promise<void>;
  stop?: (ctx: PluginContext<Static<S>>) => void | Promise<void>;
  /** Readiness for /readyz. */
  health?: (ctx: PluginContext<Static<S>>) => PluginHealth | Promise<PluginHealth>;
}

export const definePlugin = <S extends TSchema>(definition: PluginDefinition<S>): PluginDefinition<S> => definition;
