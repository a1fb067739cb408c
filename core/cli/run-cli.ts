// `bun core/main.ts <command>`: parses arguments, runs the command, and turns any failure into one
// line on stderr and a non-zero exit.
import { writeSync } from "node:fs";
import { parseArgs } from "node:util";
import pkg from "../../package.json";
import { keysCreate } from "../../plugins/api-key/cli";
import { configJsonSchema } from "../config/json-schema";
import { isTesseraError, TesseraError } from "../errors/tessera-error";
import { createSession } from "../identity/sessions";
import { createUser, findUserByEmail } from "../identity/users";
import { buildInfo } from "../runtime/build-info";
import { builtInSchemas } from "./built-in-schemas";
import { check } from "./check";
import { parseDuration } from "./parse-duration";
import { serve } from "./serve";
import { withDatabase } from "./with-database";

const USAGE = `Usage: tessera <command> [--config FILE]
  serve [--port N] [--hostname H]      start the server
  check                                validate config and plugins, print the plugin table
  migrate                              apply database migrations
  schema                               print the config's JSON Schema
  users create --email E [--name N] [--admin]
  sessions create --email E [--ttl 12h]
  keys create --name N [--scopes a,b]   a new API key (shown once) and its config entry
  peers add URL                        ask the instance at URL to peer (federation); prints the peer
  --version`;

const ARGUMENT_COMMANDS = new Set(["peers add"]);

const usage = (message: string) => new TesseraError("ERR_BAD_REQUEST", `${message}\n${USAGE}`);

const options = {
  config: { type: "string" },
  port: { type: "string" },
  hostname: { type: "string" },
  email: { type: "string" },
  name: { type: "string" },
  admin: { type: "boolean" },
  ttl: { type: "string" },
  scopes: { type: "string" },
  version: { type: "boolean" },
  help: { type: "boolean" },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>["values"];

const required = (value: string | undefined, flag: string): string => {
  if (!value) throw usage(`${flag} is required`);
  return value;
};

const port = (text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw usage(`--port expects 0-65535, got "${text}"`);
  return value;
};

// Synchronous: main.ts exits right after a command, which would cut off what a pipe has not taken yet
// (`schema` prints more than a pipe holds).
const print = (text: string): void => {
  writeSync(1, `${text}\n`);
};

/** A command gets the flags and, for commands that take one, the positional argument after its name. */
const commands: Record<string, (values: Values, argument?: string) => Promise<void>> = {
  serve: (values) => serve({ file: values.config, port: port(values.port), hostname: values.hostname }),
  check: async (values) => {
    print(await check(values.config));
  },
  migrate: (values) =>
    withDatabase(values.config, async (db, applied) => {
      print(
        applied.length
          ? `Applied ${applied.length} migration(s) to ${db.location}:\n${applied.map((name) => `  ${name}`).join("\n")}`
          : `${db.location} is up to date`,
      );
    }),
  schema: async () => {
    print(JSON.stringify(configJsonSchema(await builtInSchemas()), null, 2));
  },
  "users create": (values) =>
    withDatabase(values.config, async (db) => {
      const user = await createUser(db, {
        email: required(values.email, "--email"),
        name: values.name ?? null,
        isAdmin: values.admin ?? false,
      });
      print(JSON.stringify({ id: user.id, email: user.email }));
    }),
  "sessions create": (values) =>
    withDatabase(values.config, async (db) => {
      const email = required(values.email, "--email");
      const user = await findUserByEmail(db, email);
      if (!user)
        throw new TesseraError("ERR_NOT_FOUND", `No user with email ${email}; create one with: users create --email ${email}`);
      const { token } = await createSession(db, user.id, { ttlMs: parseDuration(values.ttl ?? "12h", "--ttl") });
      print(token);
    }),
  "keys create": async (values) => {
    print(keysCreate({ name: values.name, scopes: values.scopes }));
  },
  "peers add": async (values, url) => {
    // Imported only when asked for: a disabled plugin is not even imported.
    const { peersAdd } = await import("../../plugins/federation/cli");
    print(await peersAdd(values.config, url));
  },
};

export const runCli = async (argv: string[]): Promise<number> => {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    if (values.version) {
      print(`tessera ${pkg.version}${buildInfo.commit ? ` (commit ${buildInfo.commit})` : ""}`);
      return 0;
    }
    if (values.help || positionals.length === 0) {
      print(USAGE);
      return values.help ? 0 : 1;
    }
    const name = [positionals.slice(0, 2).join(" "), positionals[0] ?? ""].find((candidate) => candidate in commands);
    const command = name === undefined ? undefined : commands[name];
    const words = name?.split(" ").length ?? 0;
    const takesArgument = name !== undefined && ARGUMENT_COMMANDS.has(name);
    if (!command || positionals.length > words + (takesArgument ? 1 : 0)) {
      throw usage(`Unknown command "${positionals.join(" ")}"`);
    }
    await command(values, positionals[words]);
    return 0;
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
