// The isolated-plugin protocol, version 1: every call and notification between the core and a plugin's
// child, with their parameters and results. Both ends import these types; docs/plugins.md ("The isolation
// protocol") describes the same for a child written in another language. A change that an older peer
// would misread raises PROTOCOL_VERSION.
import type { WorkspaceEvent } from "../../events/event-bus";
import type { Principal, Role } from "../../identity/types";
import type { RateDecision, RateRule } from "../../limits/rate-limiter";
import type { LogLevel } from "../../log/logger";

export const PROTOCOL_VERSION = 1;

/** A header list as it crosses: names lower-cased, repeated names kept (Set-Cookie). */
export type WireHeaders = [string, string][];

/** The first thing the child sends, unasked, as a notification. */
export interface Hello {
  protocol: number;
  /** The runtime and its version, e.g. "deno 2.9.6". */
  runtime: string;
}

// ── Core → child: calls ────────────────────────────────────────────────────────────────────────────────

/** `define` → what the core needs before any setup; the plugin module is imported only in the child. */
export interface DefineResult {
  name: string;
  version: string;
  requires: string[];
  /** Absolute folders of the plugin's SQL migrations, when it declares any (inside the plugin's folder). */
  migrations?: { sqlite: string; postgres: string };
  /** Names of the commands it declares (not run while isolated; the core says so). */
  commands: string[];
}

/** `configure` → the plugin's section checked against its schema in the child (defaults applied). */
export interface ConfigureParams {
  specifier: string;
  section: Record<string, unknown>;
  /** Printed paths of values set from the environment: an error about one never shows the value. */
  secretPaths?: string[];
}
export interface ConfigureResult {
  config: unknown;
}

export interface InstanceFacts {
  publicUrl: string;
  allowedOrigins: string[];
  admins: unknown[];
  instanceId: string;
}

/** `setup` → runs the plugin's setup with a ctx whose services are calls back to the core. */
export interface SetupParams {
  name: string;
  config: unknown;
  instance: InstanceFacts;
  grants: { net: string[]; env: string[]; routes: string[] };
  /** The dialect of the plugin's own database, when it has one (it declared migrations). */
  dialect?: "sqlite" | "postgres";
  /** server.maxJsonDepth: a request body nested deeper is a 400, as in process (its default when absent). */
  maxJsonDepth?: number;
}
export interface SetupResult {
  routes: { method: string; path: string }[];
  bodyLimits: { path: string; bytes: number }[];
  /** Which lifecycle parts setup returned. */
  has: { start: boolean; stop: boolean; health: boolean; reload: boolean };
}

/** `start`, `stop`: no parameters, no result. `health` → PluginHealth. */
export interface HealthResult {
  ok: boolean;
  detail?: string;
}

/** `reload` checks the new config (throws to refuse); `commitReload` applies the one last accepted. */
export interface ReloadParams {
  config: unknown;
}
/** What `reload` accepted: the settings (paths inside the plugin's section) that wait for a restart. */
export interface ReloadResult {
  needsRestart: string[];
}

/** `http`: one request to a route the plugin declared; the reply comes when the response head is ready. */
export interface HttpParams {
  /** Identifies the request in `auth.*` calls while it is in flight. */
  request: number;
  method: string;
  /** The absolute URL as the core routed it (its public origin, the path and query). */
  url: string;
  /** Without credentials: Cookie, Authorization and X-API-Key stay in the core (ask `auth.*`). */
  headers: WireHeaders;
  /** The request body's stream id, when it has a body. */
  body?: number;
  requestId: string;
  clientAddress: string;
}
export interface HttpResult {
  status: number;
  headers: WireHeaders;
  /** The response body's stream id, when it has a body that is not inline. */
  body?: number;
  /** The whole body, base64, when it was small and complete at once (most answers): no stream then. */
  inline?: string;
}

// ── Core → child: notifications ────────────────────────────────────────────────────────────────────────

/** `event`: an event for a subscription the child made with `events.subscribe`. */
export interface EventDelivery {
  subscription: number;
  event: WorkspaceEvent;
}

/** `identityChange`: as ctx.identityChanges delivers it in process. */
export interface IdentityChangeDelivery {
  subscription: number;
  change: unknown;
}

// ── Child → core: calls (ctx's services) ───────────────────────────────────────────────────────────────

/** `db.query`: one statement on the plugin's own database. Values cross as WireValue. */
export interface DbQueryParams {
  sql: string;
  params: WireValue[];
  /** drizzle's proxy methods: rows as arrays (`all`, `values`), the first row (`get`), nothing (`run`, `execute` on PostgreSQL returns objects). */
  method: "all" | "values" | "get" | "run" | "execute";
}
export interface DbQueryResult {
  rows: WireValue[] | WireValue[][] | Record<string, WireValue>[];
}

/** Values JSON can't carry are tagged: bytes as base64, big integers as decimal strings. */
export type WireValue =
  | string
  | number
  | boolean
  | null
  | { $bytes: string }
  | { $bigint: string }
  | WireValue[]
  | { [key: string]: WireValue };

/** `events.publish` → WorkspaceEvent. */
export interface PublishParams {
  workspaceId: string;
  event: string;
  data: unknown;
}
/** `events.subscribe` (workspaceId null: every workspace) and `events.unsubscribe`; deliveries come as `event`. */
export interface SubscribeParams {
  subscription: number;
  workspaceId: string | null;
}
/** `events.replay` → ReplayResult. */
export interface ReplayParams {
  workspaceId: string;
  since: string;
  limit?: number;
}

/** `auth.principal` → Principal | null; `auth.requireUser`, `auth.requireAdmin` → Principal; `auth.requireRole` → RoleResult. */
export interface AuthParams {
  request: number;
  workspaceId?: string;
  role?: Role;
}
export interface RoleResult {
  principal: Principal;
  role: Role;
}

/** `limits.consume` → RateDecision. Keys are the plugin's own: the core prefixes them with its name. */
export interface ConsumeParams {
  key: string;
  rule: RateRule;
  cost?: number;
}
export type ConsumeResult = RateDecision;

/** `once.claim` → boolean; `slots.acquire` → boolean; `slots.release` → null. Keys prefixed as above. */
export interface ClaimParams {
  key: string;
  expiresAt: number;
}
export interface SlotParams {
  key: string;
  max?: number;
  holder: string;
}

/** The prefix an isolated plugin's metric names must carry: its name's non-alphanumerics as `_`. */
export const metricPrefix = (plugin: string): string => `tessera_plugin_${plugin.replace(/[^a-zA-Z0-9]/g, "_")}_`;

/** `metrics.define`: a metric named `metricPrefix(plugin)…`; updates follow as `metrics.update` notifications. */
export interface MetricDefinition {
  kind: "counter" | "gauge" | "histogram";
  name: string;
  help: string;
  labelNames: string[];
  buckets?: number[];
}

// ── Child → core: notifications ────────────────────────────────────────────────────────────────────────

/** `log`: one line of the plugin's log (console output arrives here too). */
export interface LogLine {
  level: LogLevel;
  message: string;
  fields?: Record<string, unknown>;
}

/** `metrics.update`: inc (counter, gauge), set (gauge) or observe (histogram). */
export interface MetricUpdate {
  name: string;
  op: "inc" | "set" | "observe";
  value: number;
  labels?: Record<string, string>;
}

/** `denied`: the runtime refused an access (Deno's NotCapable) and the error reached the child's host. */
export interface Denied {
  kind: "read" | "write" | "net" | "env" | "run" | "ffi" | "sys" | "import";
  value: string;
}
