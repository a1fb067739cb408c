// Deno-style denial: names the plugin, the value it reached for, and the config line that would grant it.
import { TesseraError } from "./tessera-error";

export type PermissionKind = "net" | "env" | "route";

const CODES = { net: "ERR_PERMISSION_NET", env: "ERR_PERMISSION_ENV", route: "ERR_PERMISSION_ROUTE" } as const;

export class PermissionDenied extends TesseraError {
  readonly plugin: string;
  readonly kind: PermissionKind;
  readonly value: string;
  readonly grant: string;

  /** `reason` says how the value was reached when the plugin asked for something else (a name resolving to it). */
  constructor(plugin: string, kind: PermissionKind, value: string, reason?: string) {
    const grant = `plugins[${JSON.stringify(plugin)}].permissions.${kind}: [${JSON.stringify(value)}]`;
    const why = reason ? ` (${reason})` : "";
    super(CODES[kind], `Plugin "${plugin}" was not granted ${kind} access to "${value}"${why}; grant it with ${grant}`, {
      status: 500,
      path: `plugins.${plugin}.permissions.${kind}`,
    });
    this.name = "PermissionDenied";
    this.plugin = plugin;
    this.kind = kind;
    this.value = value;
    this.grant = grant;
  }
}
