import { afterAll, beforeAll, describe, expect, test } from "bun:test";
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
      expect(user).toMatchObject({ email: email.toLowerCase(), name: "Ada", isAdmin: false });
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

    test("brings email and name up to date on each sign-in", async () => {
      const subject = unique();
      const user = await findOrCreateUserByIdentity(db, {
        issuer: "https://idp.example",
        subject,
        email: `old.${subject}@example.org`,
        name: "Old",
      });
      const updated = await findOrCreateUserByIdentity(db, {
        issuer: "https://idp.example",
        subject,
        email: `New.${subject}@example.org`,
        name: "New",
      });
      expect(updated).toMatchObject({ id: user.id, email: `new.${subject}@example.org`, name: "New" });
      expect(await findUserById(db, user.id)).toEqual(updated);
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

    test("refuses to move an email that another user holds", async () => {
      const taken = `taken.${unique()}@example.org`;
      await createUser(db, { email: taken });
      const subject = unique();
      await findOrCreateUserByIdentity(db, { issuer: "https://idp.example", subject, email: `mine.${subject}@example.org` });
      await expect(
        findOrCreateUserByIdentity(db, { issuer: "https://idp.example", subject, email: taken }),
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
