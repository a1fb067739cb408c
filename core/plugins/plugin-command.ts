// What a plugin adds to the `tessera` command line: commands with typed flags, listed by `tessera --help`
// when the plugin is enabled, run without setting up or starting any plugin and without opening a port.
import type { Logger } from "../log/logger";
import type { PluginContext } from "./plugin-context";

export interface CommandFlag {
  type: "string" | "boolean";
  /** One line for `--help`. */
  usage: string;
  /** The value's placeholder in the usage line (`--name N`); string flags only. */
  value?: string;
  /** The command line refuses to run the command without it. */
  required?: boolean;
}

export type CommandFlags = Record<string, CommandFlag>;

type FlagValue<T extends CommandFlag["type"]> = T extends "boolean" ? boolean : string;

/** The parsed flags: a string flag's text, a boolean flag's presence; absent when not given. */
export type FlagValues<F extends CommandFlags> = { [K in keyof F]?: FlagValue<F[K]["type"]> };

export interface CommandInput<F extends CommandFlags> {
  flags: FlagValues<F>;
  /** The positional argument after the command's name, for a command that declares one. */
  argument?: string;
}

export interface CommandContext<C = unknown> {
  /** The plugin's name. */
  name: string;
  /** The plugin's validated config, as setup would get it. */
  config: C;
  /** To stderr, so stdout carries the command's result alone. */
  log: Logger;
  /** A line to stdout: the command's result. */
  out(text: string): void;
  /** A line to stderr: progress or a hint. */
  err(text: string): void;
  /**
   * The ctx setup would get (database migrated, env, fetch and routes scoped to the plugin's grants,
   * events, limits), built on first call; no plugin is set up or started and no port opens. What it
   * opened, and whatever the command registers with `onStop`, is closed when the command ends.
   */
  open(): Promise<PluginContext<C>>;
}

export interface Command<C = unknown, F extends CommandFlags = CommandFlags> {
  /** One or two words: "keys create". */
  name: string;
  /** One line for `--help`. */
  summary: string;
  flags?: F;
  /** The placeholder of a positional argument after the name ("URL"); without it, none is accepted. */
  argument?: string;
  // Method syntax: a command with its own flags still fits a plugin's list of commands.
  run(input: CommandInput<F>, ctx: CommandContext<C>): void | Promise<void>;
}
