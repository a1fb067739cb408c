// `log` and `denied` notifications: the plugin's log lines into the core's logger (which redacts), and
// an access its runtime refused, logged like the in-process guardrail's PermissionDenied.
import { Type } from "@sinclair/typebox";
import { PermissionDenied } from "../../errors/permission-denied";
import type { Logger } from "../../log/logger";
import type { Channel } from "../wire/channel";
import { paramsOf } from "./params";

const LogLine = paramsOf(
  "log",
  Type.Object({
    level: Type.Union([Type.Literal("debug"), Type.Literal("info"), Type.Literal("warn"), Type.Literal("error")]),
    message: Type.String({ maxLength: 10_000 }),
    fields: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  }),
);

const DeniedParams = paramsOf(
  "denied",
  Type.Object({
    kind: Type.Union([
      Type.Literal("read"),
      Type.Literal("write"),
      Type.Literal("net"),
      Type.Literal("env"),
      Type.Literal("run"),
      Type.Literal("ffi"),
      Type.Literal("sys"),
      Type.Literal("import"),
    ]),
    value: Type.String({ maxLength: 4096 }),
  }),
);

export const serveLog = (channel: Channel, specifier: string, log: Logger): void => {
  channel.handle("log", (params) => {
    try {
      const line = LogLine(params);
      log[line.level](line.message, line.fields);
    } catch (error) {
      log.warn("isolated plugin sent a malformed log line", { error });
    }
  });
  channel.handle("denied", (params) => {
    try {
      const { kind, value } = DeniedParams(params);
      const denied = new PermissionDenied(specifier, kind, value);
      log.error(denied.message, { code: denied.code, plugin: specifier, kind, value, grant: denied.grant });
    } catch (error) {
      log.warn("isolated plugin sent a malformed denied notification", { error });
    }
  });
};
