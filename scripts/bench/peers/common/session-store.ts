// The lookups the Node peers do, with the bare Elysia contenders' queries on Tessera's own SQLite file: a
// session token's SHA-256 finds a live session and its user; the user's workspaces follow; an identity
// provider's subject finds its linked user; the coordinator's health counts active jobs.
import { createHash } from "node:crypto";
import Database from "better-sqlite3";

export interface SessionUser {
  id: string;
  email: string | null;
  name: string | null;
  isAdmin: boolean;
}

export interface WorkspaceRow {
  id: string;
  name: string;
  createdAt: number;
  role: string;
}

interface UserRow {
  id: string;
  email: string | null;
  name: string | null;
  isAdmin: number;
}

export class SessionStore {
  readonly #db: Database.Database;
  readonly #findSession: Database.Statement<[string, number], UserRow>;
  readonly #listWorkspaces: Database.Statement<[string], WorkspaceRow>;
  readonly #findMembership: Database.Statement<[string, string], { role: string }>;
  readonly #findLinkedUser: Database.Statement<[string, string], UserRow>;
  readonly #countActive: Database.Statement<[], { status: string; n: number }>;

  constructor(file: string) {
    // Tessera migrates the file; a peer that created an empty one would only answer 401s.
    this.#db = new Database(file, { fileMustExist: true });
    this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("busy_timeout = 5000");
    this.#findSession = this.#db.prepare(
      `SELECT u.id, u.email, u.name, u.is_admin AS isAdmin FROM sessions s JOIN users u ON u.id = s.user_id
       WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ?`,
    );
    this.#listWorkspaces = this.#db.prepare(
      `SELECT w.id, w.name, w.created_at AS createdAt, m.role FROM workspace_members m JOIN workspaces w ON w.id = m.workspace_id
       WHERE m.user_id = ? ORDER BY w.created_at`,
    );
    this.#findMembership = this.#db.prepare("SELECT role FROM workspace_members WHERE user_id = ? AND workspace_id = ?");
    this.#findLinkedUser = this.#db.prepare(
      `SELECT u.id, u.email, u.name, u.is_admin AS isAdmin FROM identities i JOIN users u ON u.id = i.user_id
       WHERE i.issuer = ? AND i.subject = ?`,
    );
    this.#countActive = this.#db.prepare(
      "SELECT status, count(*) AS n FROM jobs WHERE status IN ('pending', 'running') GROUP BY status",
    );
  }

  /** The user an identity provider's (issuer, subject) was linked to at sign-in, if any. */
  userOfIdentity(issuer: string, subject: string): SessionUser | undefined {
    const row = this.#findLinkedUser.get(issuer, subject);
    return row && { id: row.id, email: row.email, name: row.name, isAdmin: row.isAdmin === 1 };
  }

  /** Jobs waiting and running, as the coordinator's health route reports them. */
  activeJobs(): { pending: number; running: number } {
    const rows = this.#countActive.all();
    const of = (status: string) => rows.find((row) => row.status === status)?.n ?? 0;
    return { pending: of("pending"), running: of("running") };
  }

  /** The user whose live session the `tss_…` token opens, if any. */
  userOf(token: string): SessionUser | undefined {
    const hash = createHash("sha256").update(token).digest("hex");
    const row = this.#findSession.get(hash, Date.now());
    return row && { id: row.id, email: row.email, name: row.name, isAdmin: row.isAdmin === 1 };
  }

  workspacesOf(userId: string): WorkspaceRow[] {
    return this.#listWorkspaces.all(userId);
  }

  isMember(userId: string, workspaceId: string): boolean {
    return this.#findMembership.get(userId, workspaceId) !== undefined;
  }
}
