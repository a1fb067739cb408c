// Everything a plugin can reach. Each capability is scoped to the plugin's grants.
import type { Database } from "../db/open-database";
import type { EventBus } from "../events/event-bus";
import type { ClientAddress, TrustProxy } from "../http/client-address";
import type { Auth } from "../identity/auth";
import type { IdentityChanges } from "../identity/identity-changes";
import type { AdminEntry } from "../identity/types";
import type { RateLimiter } from "../limits/rate-limiter";
import type { SingleUse } from "../limits/single-use";
import type { Slots } from "../limits/slots";
import type { Logger } from "../log/logger";
import type { Registry } from "../metrics/registry";
import type { ScopedFetch } from "./scoped-fetch";

export interface InstanceInfo {
  publicUrl: string;
  allowedOrigins: string[];
  trustProxy: TrustProxy;
  /** Instance administrators: verified emails, or identities at a provider; the reloaded list after a SIGHUP. */
  admins: AdminEntry[];
  /** Directory relative paths in config resolve against (the config file's, or the cwd). */
  baseDir: string;
  redisUrl?: string;
  /** This instance among those sharing the database (server.instanceId); the same after a restart. */
  instanceId: string;
}

export interface PluginContext<C = unknown> {
  name: string;
  config: C;
  instance: InstanceInfo;
  /** An environment variable the config granted (`permissions.env`). */
  env(name: string): string | undefined;
  /** Outbound HTTP to granted hosts only; every redirect hop is re-checked; a timeout always applies. */
  fetch: ScopedFetch;
  /** The client's address for per-IP limits: the socket's peer, or what server.trustProxy allows from X-Forwarded-For. */
  clientAddress: ClientAddress;
  db: Database;
  events: EventBus;
  limits: RateLimiter;
  /** Single-use markers (ticket ids): shared by every instance when Redis is configured. */
  once: SingleUse;
  /** Concurrency slots (open sockets per user): shared by every instance when Redis is configured. */
  slots: Slots;
  log: Logger;
  metrics: Registry;
  auth: Auth;
  /**
   * Sessions revoked, peers' guests cut off, workspaces unshared, users changed: on this instance and,
   * with Redis, every other, so that what a plugin holds open (a socket, a stream) ends with its access.
   */
  identityChanges: IdentityChanges;
  /** Resources the plugin opens (timers, clients) closed on stop, in reverse order. */
  onStop(cleanup: () => void | Promise<void>): void;
  /**
   * Long-lived connections the plugin holds (WebSockets, event streams) ended when the server stops
   * accepting, before it waits for in-flight requests: they would otherwise hold the shutdown until its timeout.
   */
  onDrain(end: () => void | Promise<void>): void;
}
