// `tessera users list|show|disable|enable|delete`: the instance's users for an operator on the host.
// A user is named by id or by verified email.
import { eq } from "drizzle-orm";
import type { Database } from "../../db/open-database";
import { badRequest } from "../../errors/tessera-error";
import { listLiveSessions } from "../../identity/sessions";
import { deleteUser, findUserRecord, listUsers, setUserDisabled, type UserRecord } from "../../identity/users";
import { listWorkspacesForUser } from "../../identity/workspaces";
import type { CoreCommand } from "../core-commands";
import { formatList, formatRecord, instant, JSON_FLAG, print } from "../output";
import { withDatabase } from "../with-database";
import { withAdminDatabase } from "./admin-database";

const named = (argument: string | undefined, command: string): string => {
  if (!argument) throw badRequest(`${command} expects a user's id or verified email: tessera ${command} alice@example.com`);
  return argument;
};

const userView = (user: UserRecord) => ({
  id: user.id,
  email: user.email,
  emailVerified: user.emailVerified,
  name: user.name,
  isAdmin: user.isAdmin,
  guestOf: user.guestOf,
  createdAt: user.createdAt,
  disabledAt: user.disabledAt,
});

const showUser = async (db: Database, user: UserRecord, json: boolean): Promise<string> => {
  const { identities } = db.tables;
  const linked = await db.orm
    .select({ issuer: identities.issuer, subject: identities.subject })
    .from(identities)
    .where(eq(identities.userId, user.id));
  const workspaces = (await listWorkspacesForUser(db, user.id)).map(({ id, name, role }) => ({ id, name, role }));
  const sessions = (await listLiveSessions(db, { userId: user.id })).length;
  const record = { ...userView(user), identities: linked, workspaces, sessions };
  return formatRecord(
    [
      ["id", user.id],
      ["email", user.email === null ? null : `${user.email}${user.emailVerified ? "" : " (unverified)"}`],
      ["name", user.name],
      ["admin", user.isAdmin ? "yes" : "no"],
      ["guest of", user.guestOf],
      ["created", instant(user.createdAt)],
      ["disabled", user.disabledAt === null ? "no" : instant(user.disabledAt)],
      ["identities", linked.map(({ issuer, subject }) => `${subject} at ${issuer}`).join(", ")],
      ["workspaces", workspaces.map(({ name, role }) => `${name} (${role})`).join(", ")],
      ["live sessions", sessions],
    ],
    record,
    json,
  );
};

export const USER_COMMANDS: CoreCommand[] = [
  {
    name: "users list",
    summary: "every user, oldest first",
    flags: JSON_FLAG,
    run: ({ flags }, file) =>
      withDatabase(file, async (db) => {
        const users = await listUsers(db);
        print(
          formatList(
            users.map(userView),
            [
              { header: "ID", cell: (user) => user.id },
              { header: "EMAIL", cell: (user) => user.email },
              { header: "NAME", cell: (user) => user.name },
              { header: "ADMIN", cell: (user) => (user.isAdmin ? "yes" : "") },
              { header: "GUEST OF", cell: (user) => user.guestOf },
              { header: "CREATED", cell: (user) => instant(user.createdAt) },
              { header: "DISABLED", cell: (user) => instant(user.disabledAt) },
            ],
            { json: flags.json === true, none: "no users" },
          ),
        );
      }),
  },
  {
    name: "users show",
    summary: "a user with identities, workspaces and live sessions",
    argument: "ID|EMAIL",
    flags: JSON_FLAG,
    run: ({ flags, argument }, file) =>
      withDatabase(file, async (db) => {
        print(await showUser(db, await findUserRecord(db, named(argument, "users show")), flags.json === true));
      }),
  },
  {
    name: "users disable",
    summary: "refuse the user's sign-in and revoke their sessions",
    argument: "ID|EMAIL",
    run: ({ argument }, file) =>
      withAdminDatabase(file, async (db) => {
        const user = await findUserRecord(db, named(argument, "users disable"));
        const { revoked } = await setUserDisabled(db, user.id, true);
        print(`Disabled ${user.email ?? user.id}; revoked ${revoked} session(s)`);
      }),
  },
  {
    name: "users enable",
    summary: "let a disabled user sign in again",
    argument: "ID|EMAIL",
    run: ({ argument }, file) =>
      withAdminDatabase(file, async (db) => {
        const user = await findUserRecord(db, named(argument, "users enable"));
        await setUserDisabled(db, user.id, false);
        print(`Enabled ${user.email ?? user.id}`);
      }),
  },
  {
    name: "users delete",
    summary: "delete a user who owns no workspace alone",
    argument: "ID|EMAIL",
    run: ({ argument }, file) =>
      withAdminDatabase(file, async (db) => {
        const user = await findUserRecord(db, named(argument, "users delete"));
        const { revoked } = await deleteUser(db, user.id);
        print(`Deleted ${user.email ?? user.id}; revoked ${revoked} session(s)`);
      }),
  },
];
