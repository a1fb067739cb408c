// `bun core/main.ts <command>`: finds the command among the core's and the enabled plugins' (a disabled
// plugin is never imported), parses its flags, runs it, and turns any failure into one line on stderr
// and a non-zero exit.
import pkg from "../../package.json";
import { loadConfig } from "../config/load-config";
import { isTesseraError } from "../errors/tessera-error";
import { buildInfo } from "../runtime/build-info";
import { configuredPlugins, disabledPlugins } from "../runtime/configured-plugins";
import { findCommand, parseCommand, unknownCommand, usageError, usageLines } from "./command-line";
import { CORE_COMMANDS, print } from "./core-commands";
import { type PluginCommand, pluginCommands, runPluginCommand } from "./plugin-commands";

const GLOBAL_OPTIONS = ["--config", "--help", "--version"];

const CORE_USAGE = [
  "Usage: tessera <command> [--config FILE]",
  ...CORE_COMMANDS.flatMap(usageLines),
  "  --version                                print the version",
];

interface Offered {
  commands: PluginCommand[];
  /** Where the plugin commands came from, for the help's heading. */
  where: string;
  disabled: string[];
}

// Only what the config enables is imported: a disabled plugin's commands (and code) never are.
const offered = async (file: string | undefined): Promise<Offered> => {
  const cwd = process.cwd();
  const loaded = loadConfig({ file, env: process.env, cwd });
  const plugins = await configuredPlugins(loaded, cwd);
  return {
    commands: pluginCommands(
      plugins,
      CORE_COMMANDS.map((command) => command.name),
    ),
    where: loaded.file ?? "the embedded default",
    disabled: disabledPlugins(loaded),
  };
};

const usage = (plugins: Offered): string =>
  [
    ...CORE_USAGE,
    ...(plugins.commands.length ? [`Commands of the plugins enabled in ${plugins.where}:`] : []),
    ...plugins.commands.flatMap((command) => usageLines({ ...command, summary: `${command.summary} (${command.plugin.name})` })),
  ].join("\n");

/** `--config FILE` (or `--config=FILE`) is every command's; the rest of the line is the command's. */
const takeConfig = (argv: readonly string[]) => {
  const rest: string[] = [];
  let file: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const token = argv[i] ?? "";
    if (token === "--config") {
      file = argv[i + 1];
      if (file === undefined) throw usageError("--config expects a file", CORE_USAGE.join("\n"));
      i += 1;
    } else if (token.startsWith("--config=")) file = token.slice("--config=".length);
    else rest.push(token);
  }
  return { file, rest };
};

const run = async (argv: string[]): Promise<number> => {
  const { file, rest } = takeConfig(argv);
  if (rest.includes("--version")) {
    print(`tessera ${pkg.version}${buildInfo.commit ? ` (commit ${buildInfo.commit})` : ""}`);
    return 0;
  }
  const help = rest.includes("--help") || rest.includes("-h");
  const core = help ? undefined : findCommand(rest, CORE_COMMANDS);
  if (core) {
    await core.command.run(parseCommand(core.command, core.rest), file);
    return 0;
  }
  const plugins = await offered(file);
  if (help || rest.length === 0) {
    print(usage(plugins));
    return help ? 0 : 1;
  }
  const found = findCommand(rest, plugins.commands);
  if (!found) {
    const off = plugins.disabled.length ? ` (not enabled in ${plugins.where}: ${plugins.disabled.join(", ")})` : "";
    const names = [...CORE_COMMANDS, ...plugins.commands].map((command) => command.name);
    throw usageError(`${unknownCommand(rest, names, GLOBAL_OPTIONS)}${off}`, usage(plugins));
  }
  await runPluginCommand(found.command, parseCommand(found.command, found.rest), file);
  return 0;
};

export const runCli = async (argv: string[]): Promise<number> => {
  try {
    return await run(argv);
  } catch (error) {
    const message = isTesseraError(error)
      ? `${error.code}: ${error.message}`
      : error instanceof Error
        ? error.message
        : String(error);
    process.stderr.write(`tessera: ${message}\n`);
    return 1;
  }
};
