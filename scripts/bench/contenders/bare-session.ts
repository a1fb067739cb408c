// The ceiling for a session-authenticated GET /me: bare Elysia (or Bun.serve) doing the same work inline — read the
// bearer token (or the session cookie), SHA-256 it, look the session and user up in the same SQLite file, list the user's
// workspaces, answer JSON — with none of Tessera's plumbing.
import { Database } from "bun:sqlite";
import { serveBare } from "./serve-bare";

const [file, server] = process.argv.slice(2);
if (!file) throw new Error("usage: bare-session.ts <sqlite file> [elysia|bun]");
const db = new Database(file);
db.exec("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;");
const findSession = db.prepare(
  `SELECT s.id AS sessionId, u.id, u.email, u.name, u.is_admin AS isAdmin FROM sessions s JOIN users u ON u.id = s.user_id
   WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ?`,
);
const listWorkspaces = db.prepare(
  `SELECT w.id, w.name, w.created_at AS createdAt, m.role FROM workspace_members m JOIN workspaces w ON w.id = m.workspace_id
   WHERE m.user_id = ? ORDER BY w.created_at`,
);

interface Row {
  sessionId: string;
  id: string;
  email: string | null;
  name: string | null;
  isAdmin: number;
}

const sessionCookie = (cookies: string) => /(?:^|;\s*)tessera_session=([^;]*)/.exec(cookies)?.[1] ?? "";

serveBare(
  "/me",
  (request) => {
    const header = request.headers.get("authorization") ?? "";
    const token = header.startsWith("Bearer ") ? header.slice(7) : sessionCookie(request.headers.get("cookie") ?? "");
    const hash = Bun.SHA256.hash(token, "hex");
    const row = findSession.get(hash, Date.now()) as Row | null;
    if (!row) return { status: 401, body: { error: "unauthenticated" } };
    const user = { id: row.id, email: row.email, name: row.name };
    return {
      status: 200,
      body: { user, isAdmin: row.isAdmin === 1, via: "session", workspaces: listWorkspaces.all(row.id) },
    };
  },
  server,
);
