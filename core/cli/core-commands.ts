// The core's own commands. Plugins bring theirs (plugin-commands.ts); both are read by command-line.ts.
import { configJsonSchema } from "../config/json-schema";
import { migrationStatus } from "../db/migrate";
import { TesseraError } from "../errors/tessera-error";
import { createSession } from "../identity/sessions";
import { createUser, findUserByEmail } from "../identity/users";
import type { CommandInput } from "../plugins/plugin-command";
import { builtInSchemas } from "./built-in-schemas";
import { check } from "./check";
import type { CommandSpec } from "./command-line";
import { SESSION_COMMANDS } from "./commands/session-commands";
import { USER_COMMANDS } from "./commands/user-commands";
import { formatList, print } from "./output";
import { parseDuration } from "./parse-duration";
import { serve } from "./serve";
import { withDatabase } from "./with-database";

export { print };

export interface CoreCommand extends CommandSpec {
  run(input: CommandInput<NonNullable<CommandSpec["flags"]>>, file: string | undefined): Promise<void>;
}

const text = (value: string | boolean | undefined): string | undefined => (typeof value === "string" ? value : undefined);

const port = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 65535) {
    throw new TesseraError("ERR_BAD_REQUEST", `--port expects 0-65535, got "${value}"`);
  }
  return number;
};

export const CORE_COMMANDS: CoreCommand[] = [
  {
    name: "serve",
    summary: "start the server",
    flags: {
      port: { type: "string", value: "N", usage: "listen on this port instead of server.port" },
      hostname: { type: "string", value: "H", usage: "listen on this address instead of server.hostname" },
      "log-level": { type: "string", value: "LEVEL", usage: "debug, info, warn or error; over TESSERA_LOG_LEVEL and log.level" },
    },
    run: ({ flags }, file) =>
      serve({ file, port: port(text(flags.port)), hostname: text(flags.hostname), logLevel: text(flags["log-level"]) }),
  },
  {
    name: "check",
    summary: "validate config and plugins, print the plugin table",
    run: async (_input, file) => print(await check(file)),
  },
  {
    name: "migrate",
    summary: "apply the core's and the enabled plugins' database migrations",
    flags: {
      status: { type: "boolean", usage: "list the core's migrations and whether each is applied; applies none" },
      json: { type: "boolean", usage: "with --status: print JSON instead of a table" },
    },
    run: ({ flags }, file) =>
      flags.status === true
        ? withDatabase(
            file,
            async (db) => {
              const states = await migrationStatus(db);
              print(
                formatList(
                  states,
                  [
                    { header: "MIGRATION", cell: (state) => state.name },
                    { header: "STATE", cell: (state) => (state.applied ? "applied" : "pending") },
                  ],
                  { json: flags.json === true, none: "no migrations" },
                ),
              );
            },
            { migrations: false },
          )
        : withDatabase(file, async (db, applied) => {
            print(
              applied.length
                ? `Applied ${applied.length} migration(s) to ${db.location}:\n${applied.map((name) => `  ${name}`).join("\n")}`
                : `${db.location} is up to date`,
            );
          }),
  },
  {
    name: "schema",
    summary: "print the config's JSON Schema",
    run: async () => print(JSON.stringify(configJsonSchema(await builtInSchemas()), null, 2)),
  },
  {
    name: "users create",
    summary: "a user (the email counts as verified)",
    flags: {
      email: { type: "string", value: "E", required: true, usage: "the user's email" },
      name: { type: "string", value: "N", usage: "the user's display name" },
      admin: { type: "boolean", usage: "an instance administrator" },
    },
    run: ({ flags }, file) =>
      withDatabase(file, async (db) => {
        const user = await createUser(db, {
          email: text(flags.email) ?? "",
          name: text(flags.name) ?? null,
          isAdmin: flags.admin === true,
        });
        print(JSON.stringify({ id: user.id, email: user.email }));
      }),
  },
  {
    name: "sessions create",
    summary: "a session token, usable as Authorization: Bearer",
    flags: {
      email: { type: "string", value: "E", required: true, usage: "the user's email" },
      ttl: { type: "string", value: "12h", usage: "how long the session lasts (default 12h)" },
    },
    run: ({ flags }, file) =>
      withDatabase(file, async (db) => {
        const email = text(flags.email) ?? "";
        const user = await findUserByEmail(db, email);
        if (!user)
          throw new TesseraError("ERR_NOT_FOUND", `No user with email ${email}; create one with: users create --email ${email}`);
        const { token } = await createSession(db, user.id, { ttlMs: parseDuration(text(flags.ttl) ?? "12h", "--ttl") });
        print(token);
      }),
  },
  ...USER_COMMANDS,
  ...SESSION_COMMANDS,
];
