import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { and, eq } from "drizzle-orm";
import type { Database } from "../../../core/db/database";
import { findOrCreateUserByIdentity } from "../../../core/identity/identities";
import { createUser, findUserByEmail, findUserById } from "../../../core/identity/users";
import { testDialects } from "../../support/databases";

const unique = () => crypto.randomUUID().slice(0, 8);

for (const { dialect, migrated } of await testDialects()) {
  describe(`users (${dialect})`, () => {
    let db: Database;
    beforeAll(async () => {
      db = await migrated();
    });
    afterAll(() => db.close());

    test("creates a user and finds it by id and, case-insensitively, by email", async () => {
      const email = `Ada.${unique()}@Example.org`;
      const user = await createUser(db, { email, name: "Ada" });
      // The operator vouches for the emails of the users it creates.
      expect(user).toMatchObject({ email: email.toLowerCase(), emailVerified: true, name: "Ada", isAdmin: false });
      expect(typeof user.createdAt).toBe("number");
      expect(await findUserById(db, user.id)).toEqual(user);
      expect(await findUserByEmail(db, email.toUpperCase())).toEqual(user);
    });

    test("refuses a second user with the same email as ERR_CONFLICT", async () => {
      const email = `dup.${unique()}@example.org`;
      await createUser(db, { email, name: "First" });
      await expect(createUser(db, { email: email.toUpperCase(), name: "Second" })).rejects.toMatchObject({
        code: "ERR_CONFLICT",
        status: 409,
        path: "email",
      });
    });

    test("allows any number of users without an email", async () => {
      const a = await createUser(db, { name: "No mail A" });
      const b = await createUser(db, { name: "No mail B" });
      expect(a.email).toBeNull();
      expect(b.id).not.toBe(a.id);
    });

    test("records administrators", async () => {
      const user = await createUser(db, { email: `root.${unique()}@example.org`, isAdmin: true });
      expect((await findUserById(db, user.id))?.isAdmin).toBe(true);
    });

    test("returns null for unknown ids and emails", async () => {
      expect(await findUserById(db, "nope")).toBeNull();
      expect(await findUserByEmail(db, "nobody@example.org")).toBeNull();
    });
  });

  describe(`findOrCreateUserByIdentity (${dialect})`, () => {
    let db: Database;
    beforeAll(async () => {
      db = await migrated();
    });
    afterAll(() => db.close());

    test("creates the user on first sign-in and returns the same one after", async () => {
      const claims = { issuer: "https://idp.example", subject: unique(), email: `s.${unique()}@example.org`, name: "Sam" };
      const first = await findOrCreateUserByIdentity(db, claims);
      const again = await findOrCreateUserByIdentity(db, claims);
      expect(again).toEqual(first);
      expect(first).toMatchObject({ email: claims.email, name: "Sam" });
    });

    test("brings a verified email and the name up to date on each sign-in", async () => {
      const subject = unique();
      const user = await findOrCreateUserByIdentity(db, {
        issuer: "https://idp.example",
        subject,
        email: `old.${subject}@example.org`,
        emailVerified: true,
        name: "Old",
      });
      const updated = await findOrCreateUserByIdentity(db, {
        issuer: "https://idp.example",
        subject,
        email: `New.${subject}@example.org`,
        emailVerified: true,
        name: "New",
      });
      expect(updated).toMatchObject({ id: user.id, email: `new.${subject}@example.org`, emailVerified: true, name: "New" });
      expect(await findUserById(db, user.id)).toEqual(updated);
    });

    test("refuses an email changed, unverified, at the provider: the user keeps the one it had", async () => {
      const subject = unique();
      const user = await findOrCreateUserByIdentity(db, {
        issuer: "https://idp.example",
        subject,
        email: `mine.${subject}@example.org`,
        emailVerified: true,
      });
      const after = await findOrCreateUserByIdentity(db, {
        issuer: "https://idp.example",
        subject,
        email: `ops.${subject}@example.org`,
        name: "Renamed",
      });
      expect(after).toMatchObject({ id: user.id, email: `mine.${subject}@example.org`, emailVerified: true, name: "Renamed" });
    });

    test("keeps a first unverified email for display only: nobody finds the user by it", async () => {
      const email = `shown.${unique()}@example.org`;
      const user = await findOrCreateUserByIdentity(db, { issuer: "https://idp.example", subject: unique(), email });
      expect(user).toMatchObject({ email, emailVerified: false });
      expect(await findUserByEmail(db, email)).toBeNull();
    });

    test("refuses an account pre-hijack through an unverified email: the verified owner gets a user of their own", async () => {
      const email = `victim.${unique()}@example.org`;
      const squatter = await findOrCreateUserByIdentity(db, { issuer: "https://idp.example", subject: unique(), email });
      const owner = await findOrCreateUserByIdentity(db, {
        issuer: "https://idp.example",
        subject: unique(),
        email,
        emailVerified: true,
      });
      expect(owner.id).not.toBe(squatter.id);
      expect(owner).toMatchObject({ email, emailVerified: true });
      expect((await findUserByEmail(db, email))?.id).toBe(owner.id);
      expect(await findUserById(db, squatter.id)).toMatchObject({ email, emailVerified: false });
    });

    test("an unverified claim blocks nobody: several users may claim one address unverified", async () => {
      const email = `shared.${unique()}@example.org`;
      const a = await findOrCreateUserByIdentity(db, { issuer: "https://a.example", subject: unique(), email });
      const b = await findOrCreateUserByIdentity(db, { issuer: "https://b.example", subject: unique(), email });
      expect(a.id).not.toBe(b.id);
      await expect(createUser(db, { email })).resolves.toMatchObject({ email, emailVerified: true });
    });

    test("takes an email up as verified once the provider vouches for it", async () => {
      const subject = unique();
      const email = `later.${subject}@example.org`;
      const user = await findOrCreateUserByIdentity(db, { issuer: "https://idp.example", subject, email });
      const verified = await findOrCreateUserByIdentity(db, {
        issuer: "https://idp.example",
        subject,
        email,
        emailVerified: true,
      });
      expect(verified).toMatchObject({ id: user.id, email, emailVerified: true });
    });

    test("keeps what the provider last said of each identity's email", async () => {
      const subject = unique();
      const email = `said.${subject}@example.org`;
      await findOrCreateUserByIdentity(db, { issuer: "https://idp.example", subject, email });
      const said = async () => {
        const { identities } = db.tables;
        const [row] = await db.orm
          .select({ email: identities.email, emailVerified: identities.emailVerified })
          .from(identities)
          .where(and(eq(identities.issuer, "https://idp.example"), eq(identities.subject, subject)));
        return row;
      };
      expect(await said()).toEqual({ email, emailVerified: false });
      await findOrCreateUserByIdentity(db, { issuer: "https://idp.example", subject, email, emailVerified: true });
      expect(await said()).toEqual({ email, emailVerified: true });
    });

    test("leaves the profile alone when the provider sends nothing", async () => {
      const subject = unique();
      const user = await findOrCreateUserByIdentity(db, {
        issuer: "https://idp.example",
        subject,
        email: `k.${subject}@example.org`,
        name: "Kept",
      });
      expect(await findOrCreateUserByIdentity(db, { issuer: "https://idp.example", subject })).toEqual(user);
    });

    test("keeps the same subject at different issuers apart", async () => {
      const subject = unique();
      const a = await findOrCreateUserByIdentity(db, { issuer: "https://a.example", subject });
      const b = await findOrCreateUserByIdentity(db, { issuer: "https://b.example", subject });
      expect(a.id).not.toBe(b.id);
    });

    test("joins an existing user only when the provider verified the email", async () => {
      const email = `pre.${unique()}@example.org`;
      const existing = await createUser(db, { email, name: "Pre-created", isAdmin: true });
      await expect(
        findOrCreateUserByIdentity(db, { issuer: "https://idp.example", subject: unique(), email }),
      ).rejects.toMatchObject({
        code: "ERR_CONFLICT",
      });
      const linked = await findOrCreateUserByIdentity(db, {
        issuer: "https://idp.example",
        subject: unique(),
        email,
        emailVerified: true,
      });
      expect(linked.id).toBe(existing.id);
    });

    test("refuses to move a verified email that another user holds", async () => {
      const taken = `taken.${unique()}@example.org`;
      await createUser(db, { email: taken });
      const subject = unique();
      await findOrCreateUserByIdentity(db, { issuer: "https://idp.example", subject, email: `mine.${subject}@example.org` });
      await expect(
        findOrCreateUserByIdentity(db, { issuer: "https://idp.example", subject, email: taken, emailVerified: true }),
      ).rejects.toMatchObject({
        code: "ERR_CONFLICT",
      });
    });

    test("concurrent first sign-ins of one identity end with one user", async () => {
      const claims = { issuer: "https://idp.example", subject: unique(), name: "Racer" };
      const users = await Promise.all([1, 2, 3, 4].map(() => findOrCreateUserByIdentity(db, claims)));
      expect(new Set(users.map((user) => user.id)).size).toBe(1);
    });
  });
}
