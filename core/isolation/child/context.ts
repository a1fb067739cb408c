// The ctx an isolated plugin's setup gets: PluginContext's shape, each service a call to the core over
// the channel, except what the child can answer itself (env and fetch under Deno's own permissions).
import process from "node:process";
import type { Database } from "../../db/database";
import type { PluginContext } from "../../plugins/plugin-context";
import { scopedEnv } from "../../plugins/scoped-env";
import type { Channel } from "../wire/channel";
import type { LogLine, SetupParams } from "../wire/protocol";
import { type RequestNumbers, wireAuth } from "./auth";
import { noDatabase, wireDatabase } from "./database";
import { wireEvents } from "./events";
import { childFetch } from "./fetch";
import { wireIdentityChanges } from "./identity-changes";
import { wireLogger } from "./log";
import { WireRegistry } from "./metrics";
import { wireLimits, wireOnce, wireSlots } from "./stores";

export interface ChildContext {
  ctx: PluginContext;
  /** The `event` and `identityChange` notifications' handlers. */
  deliverEvent: ReturnType<typeof wireEvents>["deliver"];
  deliverIdentityChange: ReturnType<typeof wireIdentityChanges>["deliver"];
  /** What the plugin gave ctx.onStop and ctx.onDrain, run by the child at stop. */
  cleanups: (() => void | Promise<void>)[];
  drains: (() => void | Promise<void>)[];
}

export interface ContextInput {
  channel: Channel;
  params: SetupParams;
  /** The plugin's folder: its baseDir, and the only one it may read. */
  folder: string;
  numbers: RequestNumbers;
  /** The client address the core gave each request in flight. */
  clientAddresses: WeakMap<Request, string>;
  sendLog: (line: LogLine) => void;
}

export const childContext = ({ channel, params, folder, numbers, clientAddresses, sendLog }: ContextInput): ChildContext => {
  const log = wireLogger(sendLog, { plugin: params.name });
  const logError = (error: unknown) => log.error("plugin service call failed", { error });
  const events = wireEvents(channel, logError);
  const identity = wireIdentityChanges(channel, logError);
  const cleanups: (() => void | Promise<void>)[] = [];
  const drains: (() => void | Promise<void>)[] = [];
  const db: Database = params.dialect ? wireDatabase(params.dialect, channel, params.name) : noDatabase();
  const ctx: PluginContext = {
    name: params.name,
    config: params.config,
    instance: {
      ...params.instance,
      admins: params.instance.admins as PluginContext["instance"]["admins"],
      // The core has already taken the client's address from the proxies it trusts (clientAddress).
      trustProxy: false,
      baseDir: folder,
    },
    // The child's environment holds only granted variables; the grant check gives the in-process refusal.
    env: scopedEnv(params.name, params.grants.env, process.env),
    fetch: childFetch(params.name, params.grants.net),
    clientAddress: (request) => clientAddresses.get(request) ?? "unknown",
    db,
    events: events.bus,
    limits: wireLimits(channel),
    once: wireOnce(channel),
    slots: wireSlots(channel, logError),
    log,
    metrics: new WireRegistry(channel, params.name, logError),
    auth: wireAuth(channel, numbers),
    identityChanges: identity.changes,
    onStop: (cleanup) => {
      cleanups.push(cleanup);
    },
    onDrain: (end) => {
      drains.push(end);
    },
  };
  return { ctx, deliverEvent: events.deliver, deliverIdentityChange: identity.deliver, cleanups, drains };
};
