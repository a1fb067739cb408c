// The core's own commands. Plugins bring theirs (plugin-commands.ts); both are read by command-line.ts.
import { writeSync } from "node:fs";
import { configJsonSchema } from "../config/json-schema";
import { TesseraError } from "../errors/tessera-error";
import { createSession } from "../identity/sessions";
import { createUser, findUserByEmail } from "../identity/users";
import type { CommandInput } from "../plugins/plugin-command";
import { builtInSchemas } from "./built-in-schemas";
import { check } from "./check";
import type { CommandSpec } from "./command-line";
import { parseDuration } from "./parse-duration";
import { serve } from "./serve";
import { withDatabase } from "./with-database";

export interface CoreCommand extends CommandSpec {
  run(input: CommandInput<NonNullable<CommandSpec["flags"]>>, file: string | undefined): Promise<void>;
}

// Synchronous: main.ts exits right after a command, which would cut off what a pipe has not taken yet
// (`schema` prints more than a pipe holds).
export const print = (text: string): void => {
  writeSync(1, `${text}\n`);
};

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
    },
    run: ({ flags }, file) => serve({ file, port: port(text(flags.port)), hostname: text(flags.hostname) }),
  },
  {
    name: "check",
    summary: "validate config and plugins, print the plugin table",
    run: async (_input, file) => print(await check(file)),
  },
  {
    name: "migrate",
    summary: "apply the core's and the enabled plugins' database migrations",
    run: (_input, file) =>
      withDatabase(file, async (db, applied) => {
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
];
