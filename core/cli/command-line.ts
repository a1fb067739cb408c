// Reading a command line against the commands on offer (the core's and the enabled plugins'): which
// command the leading words name, its flags parsed strictly by their declared types, and the usage text.
import { parseArgs } from "node:util";
import { closestMatch } from "../config/suggest";
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

const nearMiss = (typed: string, candidates: readonly string[]) => {
  const near = closestMatch(typed, candidates);
  return near ? ` (did you mean "${near}"?)` : "";
};

/** The leading words of a command line, before its first flag: a command's name is one or two. */
const leadingWords = (argv: readonly string[]): string[] => {
  const words: string[] = [];
  for (const token of argv) {
    if (token.startsWith("-") || words.length === 2) break;
    words.push(token);
  }
  return words;
};

/** Why no command runs: an option where a command was due, or a command name nothing offers. */
export const unknownCommand = (argv: readonly string[], names: readonly string[], options: readonly string[]): string => {
  const words = leadingWords(argv);
  if (words.length === 0) {
    const option = (argv[0] ?? "").split("=")[0] ?? "";
    return `Unknown option "${option}"${nearMiss(option, options)}`;
  }
  const typed = words.join(" ");
  const near = closestMatch(typed, names) ?? (words[0] === undefined ? undefined : closestMatch(words[0], names));
  return `Unknown command "${typed}"${near ? ` (did you mean "${near}"?)` : ""}`;
};

/** The command whose name the leading words spell, two words before one; and the arguments after it. */
export const findCommand = <S extends CommandSpec>(argv: readonly string[], commands: readonly S[]) => {
  const words = leadingWords(argv);
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

// node's parseArgs explains in its own terms (`Option '--port <value>' argument missing`, a sentence on
// `--`); the CLI says it in one line of its own, naming the flag as the usage spells it.
const parseFailure = (cause: unknown, declared: CommandFlags): string => {
  const message = cause instanceof Error ? cause.message : String(cause);
  const flag = /'(-{1,2}[^' =<]*)/.exec(message)?.[1] ?? "";
  const code = typeof cause === "object" && cause !== null && "code" in cause ? cause.code : undefined;
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    return `Unknown option "${flag}"${nearMiss(
      flag,
      Object.keys(declared).map((name) => `--${name}`),
    )}`;
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    return declared[flag.replace(/^-+/, "")]?.type === "boolean" ? `${flag} takes no value` : `${flag} expects a value`;
  }
  return message.split(". ")[0] ?? message;
};

/** The flags after a command's name, by their declared types; an unknown or malformed one is refused. */
export const parseCommand = (command: CommandSpec, rest: readonly string[]): CommandInput<CommandFlags> => {
  const declared = command.flags ?? {};
  const options = Object.fromEntries(Object.entries(declared).map(([name, flag]) => [name, { type: flag.type }]));
  const usage = `Usage: tessera ${commandSyntax(command)} [--config FILE]`;
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...rest], options, allowPositionals: true, strict: true });
  } catch (cause) {
    throw usageError(parseFailure(cause, declared), usage);
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
