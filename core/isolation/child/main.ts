// The program Deno runs for one isolated plugin. The plugin is part of the static module graph (the
// core's import map names its entry), so Deno loads it without granting read access beyond its folder.
// Frames come in on stdin and go out on stdout; when stdin ends the core is gone, and so is the child.
// A namespace import: a module without a default export still loads, and `define` says what is wrong.
import { setImmediate } from "node:timers";
import * as pluginModule from "tessera-isolated:plugin";
import { Channel } from "../wire/channel";
import {
  type ConfigureParams,
  type EventDelivery,
  type Hello,
  type HttpParams,
  type IdentityChangeDelivery,
  type LogLine,
  PROTOCOL_VERSION,
  type ReloadParams,
  type SetupParams,
} from "../wire/protocol";
import { redirectConsole } from "./console";
import { pluginEntry } from "./definition";
import { deno } from "./deno";
import { PluginHost } from "./host";
import { readStdin, writeStdout } from "./stdio";

// Answers finished in one turn of the event loop leave in one write.
const channel = new Channel(writeStdout, "child", (write) => setImmediate(write));
const sendLog = (line: LogLine) => channel.notify("log", line);
redirectConsole(sendLog);

const host = new PluginHost(pluginModule.default, pluginEntry(), channel, sendLog);

// Parameters are the core's, whose end of the protocol is typed by the same module.
channel.handle("define", () => host.define());
channel.handle("configure", (params) => host.configure(params as ConfigureParams));
channel.handle("setup", (params) => host.setup(params as SetupParams));
channel.handle("start", () => host.start());
channel.handle("stop", () => host.stop());
channel.handle("health", () => host.health());
channel.handle("reload", (params) => host.reload(params as ReloadParams));
channel.handle("commitReload", () => host.commitReload());
channel.handle("http", (params) => host.http(params as HttpParams));
channel.handle("event", (params) => host.deliverEvent(params as EventDelivery));
channel.handle("identityChange", (params) => host.deliverIdentityChange(params as IdentityChangeDelivery));

// What the plugin leaves uncaught is logged (and a refusal reported) instead of ending the child.
globalThis.addEventListener("unhandledrejection", (event) => {
  if (!(event instanceof PromiseRejectionEvent)) return;
  event.preventDefault();
  host.reportUncaught(event.reason);
});
globalThis.addEventListener("error", (event) => {
  if (!(event instanceof ErrorEvent)) return;
  event.preventDefault();
  host.reportUncaught(event.error);
});

channel.notify("hello", { protocol: PROTOCOL_VERSION, runtime: `deno ${deno.version.deno}` } satisfies Hello);

// Ends with stdin, cleanly or not: no child outlives the core that spoke to it.
channel.run(readStdin()).then(
  () => deno.exit(0),
  () => deno.exit(1),
);
