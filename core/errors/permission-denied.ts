// Deno-style denial: names the plugin, the value it reached for, and the config line that would grant it.
// An isolated plugin's runtime also refuses kinds no config grants (files, processes, native code): for
// those the message says so, and names the one way to let the plugin have them.
import { TesseraError } from "./tessera-error";

export type GrantableKind = "net" | "env" | "route";
export type RuntimeOnlyKind = "read" | "write" | "run" | "ffi" | "sys" | "import";
export type PermissionKind = GrantableKind | RuntimeOnlyKind;

const CODES = {
  net: "ERR_PERMISSION_NET",
  env: "ERR_PERMISSION_ENV",
  route: "ERR_PERMISSION_ROUTE",
  read: "ERR_PERMISSION_READ",
  write: "ERR_PERMISSION_WRITE",
  run: "ERR_PERMISSION_RUN",
  ffi: "ERR_PERMISSION_FFI",
  sys: "ERR_PERMISSION_SYS",
  import: "ERR_PERMISSION_IMPORT",
} as const;

const isGrantable = (kind: PermissionKind): kind is GrantableKind => kind === "net" || kind === "env" || kind === "route";

export class PermissionDenied extends TesseraError {
  readonly plugin: string;
  readonly kind: PermissionKind;
  readonly value: string;
  /** The config line that would grant it; for a kind no config grants, the isolation setting that trusts the plugin. */
  readonly grant: string;

  /** `reason` says how the value was reached when the plugin asked for something else (a name resolving to it). */
  constructor(plugin: string, kind: PermissionKind, value: string, reason?: string) {
    const why = reason ? ` (${reason})` : "";
    const grantable = isGrantable(kind);
    const grant = grantable
      ? `plugins[${JSON.stringify(plugin)}].permissions.${kind}: [${JSON.stringify(value)}]`
      : `plugins[${JSON.stringify(plugin)}].isolation: "none"`;
    const message = grantable
      ? `Plugin "${plugin}" was not granted ${kind} access to "${value}"${why}; grant it with ${grant}`
      : `Plugin "${plugin}" was refused ${kind} access to "${value}"${why}: an isolated plugin cannot be granted ${kind} access; ` +
        `${grant} trusts the plugin with the server's own rights`;
    super(CODES[kind], message, {
      status: 500,
      path: grantable ? `plugins.${plugin}.permissions.${kind}` : `plugins.${plugin}.isolation`,
    });
    this.name = "PermissionDenied";
    this.plugin = plugin;
    this.kind = kind;
    this.value = value;
    this.grant = grant;
  }
}
