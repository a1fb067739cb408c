// The ceiling for a bearer-JWT authenticated GET /me: bare Elysia (or Bun.serve) doing the same work inline — jose
// verification against the provider's JWKS (fetched once, cached), the user linked to (iss, sub) and
// their workspaces from the same SQLite file — with none of Tessera's plumbing.
import { Database } from "bun:sqlite";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { serveBare } from "./serve-bare";

const [file, issuer, audience, server] = process.argv.slice(2);
if (!file || !issuer || !audience) throw new Error("usage: bare-jwt.ts <sqlite file> <issuer> <audience> [elysia|bun]");
const db = new Database(file);
db.exec("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;");
const jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));
const findUser = db.prepare(
  `SELECT u.id, u.email, u.name, u.is_admin AS isAdmin FROM identities i JOIN users u ON u.id = i.user_id
   WHERE i.issuer = ? AND i.subject = ?`,
);
const listWorkspaces = db.prepare(
  `SELECT w.id, w.name, w.created_at AS createdAt, m.role FROM workspace_members m JOIN workspaces w ON w.id = m.workspace_id
   WHERE m.user_id = ? ORDER BY w.created_at`,
);

interface Row {
  id: string;
  email: string | null;
  name: string | null;
  isAdmin: number;
}

serveBare(
  "/me",
  async (request) => {
    const header = request.headers.get("authorization") ?? "";
    const token = header.startsWith("Bearer ") ? header.slice(7) : "";
    try {
      const { payload } = await jwtVerify(token, jwks, { issuer, audience, algorithms: ["RS256"] });
      const row = findUser.get(issuer, payload.sub ?? "") as Row | null;
      if (!row) throw new Error("unknown subject");
      const user = { id: row.id, email: row.email, name: row.name };
      return { status: 200, body: { user, isAdmin: row.isAdmin === 1, via: "token", workspaces: listWorkspaces.all(row.id) } };
    } catch {
      return { status: 401, body: { error: "unauthenticated" } };
    }
  },
  server,
);
