// The enabled plugins' commands: listed with their plugin, and run with a CommandContext that builds
// the plugin's ctx (database, grants, shared services) only when the command asks, sets up no plugin
// and opens no port.
import { TesseraError } from "../errors/tessera-error";
import { createLogger } from "../log/json-logger";
import type { LoadedPlugin } from "../plugins/load-plugins";
import type { Command, CommandContext, CommandFlags, CommandInput } from "../plugins/plugin-command";
import { createRuntime, type Runtime } from "../runtime/create-runtime";
import type { CommandSpec } from "./command-line";
import { print } from "./core-commands";

export interface PluginCommand extends CommandSpec {
  plugin: LoadedPlugin;
  command: Command;
}

/** Every enabled plugin's commands; a name the core or another plugin already has is refused. */
export const pluginCommands = (plugins: readonly LoadedPlugin[], coreNames: readonly string[]): PluginCommand[] => {
  const owners = new Map<string, string>(coreNames.map((name) => [name, "the core"]));
  const commands: PluginCommand[] = [];
  for (const plugin of plugins) {
    for (const command of plugin.definition.commands ?? []) {
      const owner = owners.get(command.name);
      if (owner !== undefined) {
        throw new TesseraError(
          "ERR_PLUGIN_INVALID",
          `Plugin "${plugin.name}" adds the command "${command.name}", which ${owner} already has`,
          { path: `plugins.${plugin.specifier}` },
        );
      }
      owners.set(command.name, `plugin "${plugin.name}"`);
      const { name, summary, flags, argument } = command;
      commands.push({ name, summary, flags, argument, plugin, command });
    }
  }
  return commands;
};

export const runPluginCommand = async (
  { plugin, command }: PluginCommand,
  input: CommandInput<CommandFlags>,
  file: string | undefined,
): Promise<void> => {
  // Logs go to stderr: stdout carries the result alone.
  const log = createLogger({ level: "warn", write: (line) => process.stderr.write(`${line}\n`) }).child({ plugin: plugin.name });
  let runtime: Promise<Runtime> | undefined;
  const context: CommandContext = {
    name: plugin.name,
    config: plugin.config,
    log,
    out: print,
    err: (text) => process.stderr.write(`${text}\n`),
    async open() {
      runtime ??= createRuntime({ file, log, setup: false });
      const opened = (await runtime).plugins.find((candidate) => candidate.name === plugin.name);
      if (!opened) throw new TesseraError("ERR_INTERNAL", `Plugin "${plugin.name}" is not enabled in the runtime's config`);
      return (await runtime).contextOf(opened);
    },
  };
  try {
    await command.run(input, context);
  } finally {
    if (runtime)
      await runtime.then(
        (opened) => opened.stop(),
        () => undefined,
      );
  }
};
