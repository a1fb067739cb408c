// A refusal by Deno's permission checks (NotCapable), told apart from other failures and turned into the
// PermissionDenied the core logs and answers: the runtime's message names the kind and the value.
import { PermissionDenied } from "../../errors/permission-denied";
import type { Denied } from "../wire/protocol";
import { deno } from "./deno";

const KINDS: ReadonlySet<string> = new Set<Denied["kind"]>(["read", "write", "net", "env", "run", "ffi", "sys", "import"]);

// `Requires read access to "/etc/passwd", run again with the --allow-read flag`; some values are unquoted (<CWD>).
const REFUSAL = /^Requires (\w+) access to (?:"((?:[^"\\]|\\.)*)"|(\S+?)),? /;

// fetch() reports an address refused at connect (--deny-net: a granted name resolving inside the network)
// as a plain error whose message carries the refusal.
const CONNECT_REFUSAL = /\(Connect\): Requires (net) access to "([^"]+)"/;

const isKind = (kind: string): kind is Denied["kind"] => KINDS.has(kind);

/** The refusal behind `error` (node: APIs wrap it at most a few causes deep), or undefined when it is none. */
export const deniedOf = (error: unknown): Denied | undefined => {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const { message } = current;
    const match = current instanceof deno.errors.NotCapable ? REFUSAL.exec(message) : CONNECT_REFUSAL.exec(message);
    const kind = match?.[1];
    if (kind !== undefined && isKind(kind)) return { kind, value: match?.[2] ?? match?.[3] ?? "" };
  }
  return undefined;
};

export const permissionDenied = (plugin: string, denied: Denied): PermissionDenied =>
  new PermissionDenied(plugin, denied.kind, denied.value);
