import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import type { Database } from "../../../core/db/database";
import {
  createSession,
  findSessionByToken,
  hashSessionToken,
  revokeSession,
  revokeSessionByToken,
  revokeSessionsWhere,
  SESSION_TOKEN_PREFIX,
} from "../../../core/identity/sessions";
import type { User } from "../../../core/identity/types";
import { createUser } from "../../../core/identity/users";
import { testDialects } from "../../support/databases";

const HOUR = 3_600_000;

for (const { dialect, migrated } of await testDialects()) {
  describe(`sessions (${dialect})`, () => {
    let db: Database;
    let user: User;
    beforeAll(async () => {
      db = await migrated();
      user = await createUser(db, { email: `sessions.${crypto.randomUUID()}@example.org`, name: "Sessions" });
    });
    afterAll(() => db.close());

    test("issues a prefixed 256-bit token and finds the session and user by it", async () => {
      const { token, session } = await createSession(db, user.id, {
        ttlMs: HOUR,
        issuer: "https://idp.example",
        sid: "sid-1",
        idToken: "eyJ.x.y",
      });
      expect(token).toStartWith(SESSION_TOKEN_PREFIX);
      expect(Buffer.from(token.slice(SESSION_TOKEN_PREFIX.length), "base64url")).toHaveLength(32);
      expect(session).toMatchObject({
        userId: user.id,
        revokedAt: null,
        issuer: "https://idp.example",
        sid: "sid-1",
        idToken: "eyJ.x.y",
      });
      expect(session.expiresAt - session.createdAt).toBe(HOUR);
      expect(await findSessionByToken(db, token)).toEqual({
        session: { id: session.id, userId: session.userId, expiresAt: session.expiresAt },
        user,
      });
    });

    test("stores only the token's SHA-256", async () => {
      const { token, session } = await createSession(db, user.id, { ttlMs: HOUR });
      const { sessions } = db.tables;
      const [row] = await db.orm.select().from(sessions).where(eq(sessions.id, session.id));
      expect(row?.tokenHash).toBe(hashSessionToken(token));
      expect(row?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(row)).not.toContain(token.slice(SESSION_TOKEN_PREFIX.length));
    });

    test("finds nothing for an expired session", async () => {
      const { token, session } = await createSession(db, user.id, { ttlMs: HOUR });
      expect(await findSessionByToken(db, token, session.expiresAt - 1)).not.toBeNull();
      expect(await findSessionByToken(db, token, session.expiresAt)).toBeNull();
    });

    test("finds nothing for a revoked session, and revokes once", async () => {
      const { token, session } = await createSession(db, user.id, { ttlMs: HOUR });
      expect(await revokeSession(db, session.id)).toBe(true);
      expect(await revokeSession(db, session.id)).toBe(false);
      expect(await findSessionByToken(db, token)).toBeNull();
    });

    test("revokes by token once, returning the session with its issuer and ID token", async () => {
      const { token } = await createSession(db, user.id, { ttlMs: HOUR, issuer: "https://idp.example", idToken: "eyJ.a.b" });
      expect(await revokeSessionByToken(db, token)).toMatchObject({
        userId: user.id,
        issuer: "https://idp.example",
        idToken: "eyJ.a.b",
      });
      expect(await revokeSessionByToken(db, token)).toBeNull();
      expect(await findSessionByToken(db, token)).toBeNull();
      expect(await revokeSessionByToken(db, "not-a-token")).toBeNull();
    });

    test("finds nothing for unknown or malformed tokens", async () => {
      expect(await findSessionByToken(db, `${SESSION_TOKEN_PREFIX}${"A".repeat(43)}`)).toBeNull();
      expect(await findSessionByToken(db, "not-a-token")).toBeNull();
      expect(await findSessionByToken(db, "")).toBeNull();
    });

    test("revokes by (issuer, sid) and by user, counting only live sessions", async () => {
      const other = await createUser(db, { email: `other.${crypto.randomUUID()}@example.org` });
      const issuer = `https://idp-${crypto.randomUUID()}.example`;
      const a = await createSession(db, other.id, { ttlMs: HOUR, issuer, sid: "s-a" });
      const b = await createSession(db, other.id, { ttlMs: HOUR, issuer, sid: "s-b" });
      const c = await createSession(db, other.id, { ttlMs: HOUR });
      expect(await revokeSessionsWhere(db, { issuer, sid: "s-a" })).toBe(1);
      expect(await findSessionByToken(db, a.token)).toBeNull();
      expect(await findSessionByToken(db, b.token)).not.toBeNull();
      expect(await revokeSessionsWhere(db, { userId: other.id })).toBe(2);
      expect(await findSessionByToken(db, c.token)).toBeNull();
      expect(await revokeSessionsWhere(db, { userId: other.id })).toBe(0);
    });

    test("refuses a session for an unknown user without echoing the ID token", async () => {
      const error = await createSession(db, "no-such-user", { ttlMs: HOUR, idToken: "secret-id-token" }).catch(
        (thrown: unknown) => thrown,
      );
      expect(error).toMatchObject({ code: "ERR_NOT_FOUND" });
      expect(String(error)).not.toContain("secret-id-token");
    });

    test("refuses to revoke with an empty filter", async () => {
      await expect(revokeSessionsWhere(db, {})).rejects.toMatchObject({ code: "ERR_BAD_REQUEST" });
    });
  });
}
