// Reading a command line against the commands on offer (the core's and the enabled plugins'): which
// command the leading words name, its flags parsed strictly by their declared types, and the usage text.
import { parseArgs } from "node:util";
import { TesseraError } from "../errors/tessera-error";
import type { CommandFlags, CommandInput } from "../plugins/plugin-command";

/** What the command line needs to know of a command; `run` is the caller's. */
export interface CommandSpec {
  name: string;
  summary: string;
  flags?: CommandFlags;
  argument?: string;
}

export const usageError = (message: string, usage: string) => new TesseraError("ERR_BAD_REQUEST", `${message}\n${usage}`);

/** The command whose name the leading words spell, two words before one; and the arguments after it. */
export const findCommand = <S extends CommandSpec>(argv: readonly string[], commands: readonly S[]) => {
  const words: string[] = [];
  for (const token of argv) {
    if (token.startsWith("-") || words.length === 2) break;
    words.push(token);
  }
  for (let count = words.length; count > 0; count -= 1) {
    const name = words.slice(0, count).join(" ");
    const command = commands.find((candidate) => candidate.name === name);
    if (command) return { command, rest: argv.slice(count) };
  }
  return undefined;
};

/** `keys create --name N [--scopes a,b]` */
export const commandSyntax = (command: CommandSpec): string => {
  const flags = Object.entries(command.flags ?? {}).map(([name, flag]) => {
    const text = `--${name}${flag.type === "string" ? ` ${flag.value ?? "VALUE"}` : ""}`;
    return flag.required ? text : `[${text}]`;
  });
  return [command.name, ...(command.argument ? [command.argument] : []), ...flags].join(" ");
};

/** The command's line in `--help`, then one line per flag. */
export const usageLines = (command: CommandSpec): string[] => [
  `  ${commandSyntax(command).padEnd(40)} ${command.summary}`,
  ...Object.entries(command.flags ?? {}).map(([name, flag]) => {
    const text = `--${name}${flag.type === "string" ? ` ${flag.value ?? "VALUE"}` : ""}`;
    return `      ${text.padEnd(36)} ${flag.usage}`;
  }),
];

/** The flags after a command's name, by their declared types; an unknown or malformed one is refused. */
export const parseCommand = (command: CommandSpec, rest: readonly string[]): CommandInput<CommandFlags> => {
  const declared = command.flags ?? {};
  const options = Object.fromEntries(Object.entries(declared).map(([name, flag]) => [name, { type: flag.type }]));
  const usage = `Usage: tessera ${commandSyntax(command)} [--config FILE]`;
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...rest], options, allowPositionals: true, strict: true });
  } catch (cause) {
    // node's parseArgs adds a sentence on `--` after the reason; the reason alone is the one line.
    throw usageError((cause instanceof Error ? cause.message : String(cause)).split(". ")[0] ?? "", usage);
  }
  const accepted = command.argument ? 1 : 0;
  if (parsed.positionals.length > accepted) {
    throw usageError(`"${command.name}" does not take "${parsed.positionals.slice(accepted).join(" ")}"`, usage);
  }
  for (const [name, flag] of Object.entries(declared)) {
    if (flag.required && parsed.values[name] === undefined) throw usageError(`--${name} is required`, usage);
  }
  const flags: Record<string, string | boolean | undefined> = {};
  for (const [name, value] of Object.entries(parsed.values)) {
    if (typeof value === "string" || typeof value === "boolean") flags[name] = value;
  }
  return { flags, argument: parsed.positionals[0] };
};
