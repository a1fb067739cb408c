// `tessera sessions list|revoke`: live sessions for an operator on the host; never a token.
import { badRequest, notFound } from "../../errors/tessera-error";
import { listLiveSessions, revokeSession, revokeSessionsWhere } from "../../identity/sessions";
import { findUserRecord } from "../../identity/users";
import type { CoreCommand } from "../core-commands";
import { formatList, instant, JSON_FLAG, print } from "../output";
import { withDatabase } from "../with-database";
import { withAdminDatabase } from "./admin-database";

export const SESSION_COMMANDS: CoreCommand[] = [
  {
    name: "sessions list",
    summary: "live sessions, newest first",
    flags: {
      user: { type: "string", value: "ID|EMAIL", usage: "only this user's" },
      ...JSON_FLAG,
    },
    run: ({ flags }, file) =>
      withDatabase(file, async (db) => {
        const user = typeof flags.user === "string" ? await findUserRecord(db, flags.user) : undefined;
        const sessions = await listLiveSessions(db, user ? { userId: user.id } : {});
        print(
          formatList(
            sessions,
            [
              { header: "ID", cell: (session) => session.id },
              { header: "USER", cell: (session) => session.email ?? session.userId },
              { header: "ISSUER", cell: (session) => session.issuer },
              { header: "CREATED", cell: (session) => instant(session.createdAt) },
              { header: "LAST SEEN", cell: (session) => instant(session.lastSeenAt) },
              { header: "EXPIRES", cell: (session) => instant(session.expiresAt) },
            ],
            { json: flags.json === true, none: "no live sessions" },
          ),
        );
      }),
  },
  {
    name: "sessions revoke",
    summary: "revoke one session, or every session of --user",
    argument: "ID",
    flags: { user: { type: "string", value: "ID|EMAIL", usage: "revoke all of this user's sessions" } },
    run: ({ flags, argument }, file) => {
      const user = typeof flags.user === "string" ? flags.user : undefined;
      if ((argument === undefined) === (user === undefined)) {
        throw badRequest(
          "sessions revoke expects a session id or --user, not both: tessera sessions revoke --user alice@example.com",
        );
      }
      return withAdminDatabase(file, async (db) => {
        if (user !== undefined) {
          const found = await findUserRecord(db, user);
          print(`Revoked ${await revokeSessionsWhere(db, { userId: found.id })} session(s) of ${found.email ?? found.id}`);
          return;
        }
        if (!(await revokeSession(db, argument ?? "")))
          throw notFound(`No live session with the id ${argument}`, { path: argument });
        print(`Revoked session ${argument}`);
      });
    },
  },
];
