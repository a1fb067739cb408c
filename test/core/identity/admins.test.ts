import { describe, expect, test } from "bun:test";
import { createAuth } from "../../../core/identity/auth";
import type { User } from "../../../core/identity/types";

const user = (fields: Partial<User>): User => ({
  id: crypto.randomUUID(),
  email: null,
  emailVerified: false,
  name: null,
  isAdmin: false,
  guestOf: null,
  createdAt: 0,
  ...fields,
});

const roleOf = async () => null;

describe("admins", () => {
  test("refuses instance admin through an unverified email", () => {
    const auth = createAuth({ admins: ["Ops@Example.com"], roleOf });
    expect(auth.isAdmin(user({ email: "ops@example.com", emailVerified: false }))).toBe(false);
    expect(auth.isAdmin(user({ email: "ops@example.com", emailVerified: true }))).toBe(true);
  });

  test("a guest never matches an admin email, whatever it says of it", () => {
    const auth = createAuth({ admins: ["ops@example.com"], roleOf });
    expect(auth.isAdmin(user({ email: "ops@example.com", emailVerified: true, guestOf: "peer-1" }))).toBe(false);
  });

  test("an identity entry names the user linked to that issuer and subject, once looked up", async () => {
    const root = user({ email: "root@example.com" });
    const linked = new Map<string, User>();
    const auth = createAuth({
      admins: [{ issuer: "https://idp.example", sub: "root" }],
      roleOf,
      userOfIdentity: (issuer, subject) => linked.get(`${issuer} ${subject}`) ?? null,
    });
    await auth.refreshAdmins();
    expect(auth.isAdmin(root)).toBe(false);
    linked.set("https://idp.example root", root);
    await auth.refreshAdmins();
    expect(auth.isAdmin(root)).toBe(true);
    // The same subject at another issuer is someone else.
    expect(auth.isAdmin(user({ email: "root@example.com", emailVerified: true }))).toBe(false);
  });

  test("of two lookups racing, the one started last decides", async () => {
    const root = user({});
    const answers: ((value: User | null) => void)[] = [];
    const auth = createAuth({
      admins: [{ issuer: "https://idp.example", sub: "root" }],
      roleOf,
      userOfIdentity: () => new Promise<User | null>((resolve) => answers.push(resolve)),
    });
    const older = auth.refreshAdmins();
    const newer = auth.refreshAdmins();
    answers[1]?.(root);
    await newer;
    answers[0]?.(null);
    await older;
    expect(auth.isAdmin(root)).toBe(true);
  });

  test("the --admin flag stays an administrator whatever the email", () => {
    const auth = createAuth({ admins: [], roleOf });
    expect(auth.isAdmin(user({ isAdmin: true }))).toBe(true);
  });
});
