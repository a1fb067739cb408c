// The command line and environment an isolated plugin's Deno child gets: read access to its own folder,
// the hosts and variables its config grants, a heap cap, and nothing else (no write, run, ffi or sys).
// One pure function each, so `tessera check` prints exactly what `serve` runs.
import { pathToFileURL } from "node:url";
import { TesseraError } from "../errors/tessera-error";
import type { Grants } from "../plugins/define-plugin";
import { envAllowed, parseNetRule } from "../plugins/grants";
import type { ChildKit } from "./child-kit";
import { internalDenyList } from "./deny-internal";

/**
 * Always readable (the child's environment holds nothing else ungranted): the variables Elysia reads when
 * it is imported, and the one Deno's node:child_process reads before its run check, so that a spawn is
 * refused as a spawn.
 */
export const FIXED_ENV = ["NODE_ENV", "ENV", "ELYSIA_AOT", "NODE_V8_COVERAGE"] as const;

export interface IsolatedPluginFiles {
  /** The config key, for error paths. */
  specifier: string;
  /** The module the child imports as the plugin. */
  entry: string;
  /** The only folder the child may read at run time. */
  folder: string;
}

export interface ChildCommandInput {
  deno: string;
  /** The child program and the modules a plugin may import. */
  kit: Pick<ChildKit, "main" | "imports">;
  plugin: IsolatedPluginFiles;
  grants: Grants;
  memoryMb: number;
}

const invalid = (specifier: string, kind: string, message: string) =>
  new TesseraError("ERR_PLUGIN_INVALID", `Plugin "${specifier}": ${message}`, { path: `plugins.${specifier}.${kind}` });

// Deno splits permission lists on commas, with no escape.
const listFlag = (flag: string, values: readonly string[], fail: (value: string) => TesseraError) => {
  for (const value of values) if (value.includes(",")) throw fail(value);
  return `${flag}=${values.join(",")}`;
};

/**
 * Tessera's net grants as Deno's allow and deny lists. A bare host means the scheme's default port (80
 * and 443), `host:*` any port. Deno's `*.example.com` also admits the apex, which Tessera's does not: the
 * apex is denied at the wildcard's ports unless granted on its own.
 */
export const denoNet = (specifier: string, net: readonly string[]): { allow: string[]; deny: string[] } => {
  const rules = net.flatMap((entry) => parseNetRule(entry) ?? []);
  const portsOf = (port: string | undefined) => (port === undefined ? ["80", "443"] : [port]);
  const allow = new Set<string>();
  const deny = new Set<string>();
  for (const rule of rules) for (const port of portsOf(rule.port)) allow.add(port === "*" ? rule.host : `${rule.host}:${port}`);
  for (const wildcard of rules.filter((rule) => rule.host.startsWith("*."))) {
    const apex = wildcard.host.slice(2);
    const apexPorts = new Set(rules.filter((rule) => rule.host === apex).flatMap((rule) => portsOf(rule.port)));
    if (apexPorts.has("*")) continue;
    const ports = portsOf(wildcard.port);
    if (ports.includes("*")) {
      if (apexPorts.size > 0) {
        throw invalid(
          specifier,
          "permissions.net",
          `"*.${apex}:*" beside "${apex}" on some ports can't be enforced by Deno for an isolated plugin; grant "${apex}:*" or list the subdomains' ports`,
        );
      }
      deny.add(apex);
    } else for (const port of ports) if (!apexPorts.has(port)) deny.add(`${apex}:${port}`);
  }
  return { allow: [...allow], deny: [...deny] };
};

/** The host of a Deno net entry: `host`, `host:port`, `[v6]`, `[v6]:port`. */
const hostOf = (entry: string): string =>
  entry.startsWith("[") ? entry.slice(0, entry.indexOf("]") + 1) : (entry.split(":")[0] ?? entry);

/** Where the child resolves the plugin and the modules every plugin may import. */
export const importMap = (kit: Pick<ChildKit, "imports">, entry: string): string => {
  const imports: Record<string, string> = { "tessera-isolated:plugin": pathToFileURL(entry).href };
  for (const [specifier, file] of Object.entries(kit.imports)) imports[specifier] = pathToFileURL(file).href;
  return JSON.stringify({ imports });
};

/** The child's argv: `deno run` with exactly the plugin's permissions. */
export const childCommand = ({ deno, kit, plugin, grants, memoryMb }: ChildCommandInput): string[] => {
  const { specifier } = plugin;
  const net = denoNet(specifier, grants.net);
  const netFlags = [
    ...(net.allow.length
      ? [listFlag("--allow-net", net.allow, (value) => invalid(specifier, "permissions.net", `"${value}" is not a host`))]
      : []),
  ];
  // Only a child that may connect somewhere needs the internal ranges denied.
  const deny = net.allow.length ? [...net.deny, ...internalDenyList(net.allow.map(hostOf))] : net.deny;
  if (deny.length) netFlags.push(`--deny-net=${deny.join(",")}`);
  return [
    deno,
    "run",
    "--no-prompt",
    "--no-remote",
    "--no-config",
    "--unstable-sloppy-imports",
    "--node-modules-dir=manual",
    `--import-map=data:application/json,${importMap(kit, plugin.entry)}`,
    listFlag("--allow-read", [plugin.folder], () =>
      invalid(specifier, "isolation", `its folder ${plugin.folder} has a comma in its path, which Deno can't grant`),
    ),
    ...netFlags,
    listFlag("--allow-env", [...grants.env, ...FIXED_ENV], (value) =>
      invalid(specifier, "permissions.env", `"${value}" is not a variable name`),
    ),
    `--v8-flags=--max-old-space-size=${memoryMb}`,
    kit.main,
  ];
};

/** The child's whole environment: the granted variables that are set, NODE_ENV, and Deno's cache folder. */
export const childEnv = (
  granted: readonly string[],
  env: Record<string, string | undefined>,
  denoDir: string,
): Record<string, string> => {
  const passed: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && envAllowed(name, granted)) passed[name] = value;
  return { ...passed, NODE_ENV: "production", DENO_DIR: denoDir };
};
